// The profile page of a web app. Writes go to the primary; reads go to a streaming standby, to
// keep load off the primary. saveName runs when a user saves their name, and what it returns is
// kept in that user's session and handed to their next loadName. Users report that right after
// saving, the page still shows their old name.

import type pg from 'pg';

export interface Db {
  primary: pg.Client;
  standby: pg.Client;
  /** id int PRIMARY KEY, name text */
  table: string;
}

export async function saveName(db: Db, id: number, name: string): Promise<string | undefined> {
  await db.primary.query(`UPDATE ${db.table} SET name = $1 WHERE id = $2`, [name, id]);
  // The end of the WAL now: at or past the commit just made. The user's session keeps it.
  const { rows } = await db.primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
  return rows[0]?.lsn;
}

export async function loadName(db: Db, id: number, session?: string): Promise<string> {
  // Wait until the standby has replayed this user's last save, then read it there.
  if (session) await replayed(db.standby, session);
  const { rows } = await db.standby.query(`SELECT name FROM ${db.table} WHERE id = $1`, [id]);
  return rows[0]?.name;
}

async function replayed(standby: pg.Client, lsn: string): Promise<void> {
  for (;;) {
    const { rows } = await standby.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS ok', [
      lsn,
    ]);
    if (rows[0]?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
