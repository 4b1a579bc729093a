// The nightly rollup. Every instance of the service runs nightly() at 02:00 on a connection from
// PgBouncer (pool_mode = transaction), as all its connections are; only one instance may run the
// rollup, so the job takes advisory lock 42 first. The connection is closed after the job.
// (The check calls nightly() with a node-postgres client and a rollup that runs on that client.)

import type pg from 'pg';

const LOCK = 42;

/** Runs `rollup` unless another instance is running it; says which. */
export async function nightly(
  db: pg.ClientBase,
  rollup: () => Promise<void>,
): Promise<'ran' | 'skipped'> {
  // A transaction keeps one server connection, and a transaction-level lock ends with it: the
  // lock cannot outlive the job on a pooled connection, whatever happens in between.
  await db.query('BEGIN');
  try {
    const { rows } = await db.query('SELECT pg_try_advisory_xact_lock($1) AS got', [LOCK]);
    if (!rows[0]?.got) {
      await db.query('ROLLBACK');
      return 'skipped';
    }
    await rollup();
    await db.query('COMMIT');
    return 'ran';
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
