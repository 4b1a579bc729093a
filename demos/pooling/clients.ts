// Many clients at once: open them all concurrently and keep the ones that connected, so a count
// of who got in is not blurred by early finishers freeing slots; and what a burst of them did.

import type pg from 'pg';
import { waitFor } from '../kit/wait.ts';
import type { Bouncer, PoolRow } from './bouncer.ts';
import type { Env } from './env.ts';

export interface Burst {
  clients: pg.Client[];
  /** What the others got, by SQLSTATE (or Node error code) and message. */
  errors: { code: string; message: string }[];
}

/** Opens `n` connections at once with `open`; the ones that connected stay open. */
export async function holdMany(n: number, open: () => Promise<pg.Client>): Promise<Burst> {
  const settled = await Promise.allSettled(Array.from({ length: n }, open));
  const clients: pg.Client[] = [];
  const errors: Burst['errors'] = [];
  for (const s of settled) {
    if (s.status === 'fulfilled') clients.push(s.value);
    else {
      const e = s.reason as { code?: string; message?: string };
      errors.push({ code: e.code ?? 'none', message: e.message ?? String(s.reason) });
    }
  }
  return { clients, errors };
}

export async function endAll(clients: pg.Client[]): Promise<void> {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
}

/** Counts of each distinct value, as "3× a, 1× b". */
export function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${n}× ${v}`).join(', ') || 'none';
}

/** Client backends on the server now (this session included). */
export async function clientBackends(control: pg.Client, user?: string): Promise<number> {
  const { rows } = await control.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND ($1::text IS NULL OR usename = $1)`,
    [user ?? null],
  );
  return rows[0]?.n ?? 0;
}

/** The backends holding session advisory lock `key` (pg_locks, granted). */
export async function advisoryHolders(control: pg.Client, key: number): Promise<number[]> {
  const { rows } = await control.query<{ pid: number }>(
    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted",
    [key],
  );
  return rows.map((r) => Number(r.pid));
}

/** Waits until closed sessions' backends have exited: `n` client backends are left. */
export async function settleTo(control: pg.Client, n: number): Promise<void> {
  await waitFor(`the server to be back to ${n} client backends`, async () =>
    (await clientBackends(control)) <= n ? true : undefined,
  );
}

/** The backend pid a client's next statement runs on. */
export async function backendPid(c: pg.Client): Promise<number> {
  const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return Number(rows[0]?.pid);
}

/** The pool's row in SHOW POOLS (user app). */
export async function poolRow(bouncer: Bouncer, database: string): Promise<PoolRow | undefined> {
  const rows = await bouncer.admin<PoolRow & { user: string }>('SHOW POOLS');
  return rows.find((r) => r.database === database && r.user === 'app');
}

/** What transactionBlock says when the whole block ran on one server connection. */
export const ONE_CONNECTION = 'one server connection for the whole block';

/**
 * Runs `BEGIN; SELECT pg_backend_pid() (twice); COMMIT` on `c`: ONE_CONNECTION, the two pids
 * when they differ, or `error: …` when the pooler refused the block.
 */
export async function transactionBlock(c: pg.Client): Promise<string> {
  try {
    await c.query('BEGIN');
    const a = await backendPid(c);
    const b = await backendPid(c);
    await c.query('COMMIT');
    return a === b ? ONE_CONNECTION : `pids ${a} then ${b}`;
  } catch (err) {
    const e = err as { code?: string; message: string };
    return `error: ${e.message}`;
  }
}

/**
 * Has PgBouncer close its idle server connections (RECONNECT) and waits until the demo's own
 * session is the only client backend left; returns that count (1), the baseline of a count.
 */
export async function onlyControl(env: Env): Promise<number> {
  await env.bouncer.admin('RECONNECT');
  await settleTo(env.control, 1);
  return clientBackends(env.control);
}
