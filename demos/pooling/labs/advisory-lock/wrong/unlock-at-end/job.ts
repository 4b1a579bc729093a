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
  const { rows } = await db.query('SELECT pg_try_advisory_lock($1) AS got', [LOCK]);
  if (!rows[0]?.got) return 'skipped';
  try {
    await rollup();
    return 'ran';
  } finally {
    // Release it ourselves instead of waiting for the session to end.
    await db.query('SELECT pg_advisory_unlock($1)', [LOCK]);
  }
}
