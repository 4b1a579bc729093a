// Step 3: the application's side of a database pool. A pool of P connections under C > P
// concurrent requests: P queries run, the rest wait in the pool's queue for a connection, and the
// wait is part of their latency. PostgreSQL itself says when each query started and ended, and on
// which backend (connection). PgBouncer, the server side, is the pooling topic's.

import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { step } from '../kit/define.ts';
import { endpoints } from '../kit/endpoints.ts';
import { type Handled, peakInFlight, threadCount } from './client.ts';
import type { Env } from './env.ts';

const P = 4;
const C = 12;
const SLEEP_S = 0.5;

interface Query extends Handled {
  /** ms from sending (all at once) to the answer, as the application saw it. */
  latency: number;
}

export const poolStep = step<Env>(
  {
    id: 'pool',
    section: 'pools-requests-wait-for-a-connection',
    title: 'A pool of 4 connections under 12 requests: 8 wait for a connection',
    needs: ['postgres'],
  },
  async (t, env) => {
    const pool = new pg.Pool({
      connectionString: endpoints.pgUrl,
      max: P,
      application_name: env.run,
    });
    pool.on('error', () => undefined);
    t.defer(() => pool.end());
    const version = await pool.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    t.uses('postgresql', version.rows[0]?.v ?? 'unknown');
    const sent = performance.now();
    const queries: Query[] = await Promise.all(
      Array.from({ length: C }, async () => {
        const { rows } = await pool.query<{ start: number; end: number; pid: number }>(
          `SELECT extract(epoch FROM clock_timestamp())::float8 AS start, pg_sleep(${SLEEP_S}),
                  extract(epoch FROM clock_timestamp())::float8 AS end, pg_backend_pid() AS pid`,
        );
        const row = rows[0] as { start: number; end: number; pid: number };
        return {
          start: row.start,
          end: row.end,
          thread: row.pid,
          latency: performance.now() - sent,
        };
      }),
    );
    const firstEnd = Math.min(...queries.map((q) => q.end));
    const waited = queries.filter((q) => q.start >= firstEnd);
    const order = [...queries].sort((a, b) => a.start - b.start);
    const t0 = order[0]?.start ?? 0;
    t.table(
      ['query', 'backend', 'started (server)', 'latency (app)', 'waited for a connection'],
      order.map((q, i) => [
        i + 1,
        q.thread,
        `+${Math.round((q.start - t0) * 1000)} ms`,
        `${Math.round(q.latency)} ms`,
        q.start >= firstEnd ? 'yes' : 'no',
      ]),
    );
    t.equal(`the pool opened ${P} connections and reused them`, threadCount(queries), P);
    t.equal(`at most ${P} queries ran at once on the server`, peakInFlight(queries), P);
    t.equal(
      `${C - P} of ${C} requests waited in the pool's queue: they started after a query ended`,
      waited.length,
      C - P,
    );
    t.check(
      `each waiting request took at least twice the query's ${SLEEP_S * 1000} ms: the wait is in its latency`,
      waited.every((q) => q.latency >= 2 * SLEEP_S * 1000),
      waited.map((q) => Math.round(q.latency)).join(', '),
    );
  },
);
