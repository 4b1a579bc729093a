// The server's own limit, and an application-side pool against it: max_connections is a hard cap
// (SQLSTATE 53300 for every connection beyond it), superuser_reserved_connections keeps the last
// few for superusers, and pool size × instances has to fit under what is left.

import pg from 'pg';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { backendPid, endAll, holdMany, onlyControl, settleTo, tally } from './clients.ts';
import { type Env, MAX_CONNECTIONS } from './env.ts';
import { reservedMessageFact } from './versions.ts';

const RESERVED = 3;
const BURST = 50;

export const tooManyStep = step<Env>(
  {
    id: 'too-many-clients',
    section: 'max_connections-and-sqlstate-53300',
    title: `${BURST} direct clients against max_connections = ${MAX_CONNECTIONS}`,
  },
  async (t, env) => {
    t.say(`Left by dead runs and removed at setup: ${env.swept} clusters (with their PgBouncers).`);
    const inUse = await onlyControl(env);
    const rows: unknown[][] = [];
    const run = async (user: string, expected: number) => {
      const burst = await holdMany(BURST, () => env.cluster.connect(user));
      rows.push([
        user,
        burst.clients.length,
        tally(burst.errors.map((e) => `${e.code} ${e.message}`)),
      ]);
      await endAll(burst.clients);
      // The next burst must find the slots free: closed sessions' backends exit a moment later.
      await settleTo(env.control, inUse);
      return { burst, expected };
    };
    const su = await run('postgres', MAX_CONNECTIONS - inUse);
    const app = await run('app', MAX_CONNECTIONS - RESERVED - inUse);
    t.table(['role', 'connected (held open)', 'the others got'], rows);
    t.say(
      `${inUse} session of this demo was already open, so ${MAX_CONNECTIONS - inUse} slots were free; ` +
        `an ordinary role may not take the last ${RESERVED} (superuser_reserved_connections).`,
    );
    t.equal(
      `a superuser gets exactly the free slots (max_connections ${MAX_CONNECTIONS} − ${inUse} in use)`,
      su.burst.clients.length,
      su.expected,
    );
    t.equal(
      `an ordinary role gets ${RESERVED} fewer: the last superuser_reserved_connections slots are kept for superusers`,
      app.burst.clients.length,
      app.expected,
    );
    const codes = [...su.burst.errors, ...app.burst.errors].map((e) => e.code);
    t.check(
      'every connection beyond the limit fails at once with SQLSTATE 53300 (too_many_connections)',
      codes.length === 2 * BURST - su.expected - app.expected && codes.every((c) => c === '53300'),
      tally(codes),
    );
    // A backend takes a process slot first and checks the reserved ones after, so in a burst some
    // attempts find no slot at all while others still hold one they are about to give back.
    const reserved = expectedFor(reservedMessageFact, env.serverVersion);
    t.check(
      `with PostgreSQL ${reserved.when}, the ordinary role is refused with "${reserved.value}"`,
      app.burst.errors.some((e) => e.message === reserved.value),
      tally(app.burst.errors.map((e) => e.message)),
    );
  },
);

const POOL_SIZE = 5;
const CONNECT_TIMEOUT_MS = 1000;
const SEQUENTIAL = 20;

export const appPoolStep = step<Env>(
  {
    id: 'app-pool',
    section: 'an-application-side-pool',
    title: 'node-postgres Pool: queueing, connectionTimeoutMillis, and pool size × instances',
  },
  async (t, env) => {
    const inUse = await onlyControl(env);
    const pool = new pg.Pool({
      host: '127.0.0.1',
      port: env.cluster.port,
      user: 'app',
      database: 'postgres',
      max: POOL_SIZE,
    });
    pool.on('error', () => undefined);
    t.defer(() => (pool.ended ? undefined : pool.end()));
    let waiting = 0;
    let total = 0;
    const sample = () => {
      waiting = Math.max(waiting, pool.waitingCount);
      total = Math.max(total, pool.totalCount);
    };
    const queries = Array.from({ length: 20 }, () =>
      pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)').then((r) => {
        sample();
        return Number(r.rows[0]?.pid);
      }),
    );
    sample();
    const pids = await Promise.all(queries);
    t.table(
      ['queries', 'max in the pool', 'most waiting in its queue', 'distinct backends'],
      [[queries.length, total, waiting, new Set(pids).size]],
    );
    t.check(
      `20 concurrent queries on a Pool of max ${POOL_SIZE}: all answered, on at most ${POOL_SIZE} connections`,
      pids.length === 20 && new Set(pids).size <= POOL_SIZE && total <= POOL_SIZE,
      `${new Set(pids).size} backends, pool total ${total}`,
    );
    t.check('the other queries waited in the pool’s own queue (waitingCount > 0)', waiting > 0);

    // Sequential requests: a new connection each (a new server process each) vs the pool's.
    const perRequest = async (query: () => Promise<number>) => {
      const from = performance.now();
      const seen: number[] = [];
      for (let i = 0; i < SEQUENTIAL; i++) seen.push(await query());
      return { pids: new Set(seen).size, ms: (performance.now() - from) / SEQUENTIAL };
    };
    const fresh = await perRequest(async () => {
      const c = await env.cluster.connect('app');
      try {
        return await backendPid(c);
      } finally {
        await c.end();
      }
    });
    const pooled = await perRequest(async () =>
      Number((await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid),
    );
    t.table(
      [
        `${SEQUENTIAL} requests one after another`,
        'distinct backend pids',
        'ms per request (shown, not asserted)',
      ],
      [
        ['a new connection per request', fresh.pids, fresh.ms.toFixed(2)],
        ['pool.query()', pooled.pids, pooled.ms.toFixed(2)],
      ],
    );
    t.equal(
      `a new connection per request starts a new server process each time (${SEQUENTIAL} backends); the pool reused 1`,
      { fresh: fresh.pids, pooled: pooled.pids },
      { fresh: SEQUENTIAL, pooled: 1 },
    );

    const held = await Promise.all(Array.from({ length: POOL_SIZE }, () => pool.connect()));
    t.defer(() => {
      for (const c of held) c.release();
    });
    // Set only now, with the pool full: the wait it bounds is the queue's alone. (Set from the
    // start, it also bounds opening a connection, which takes longer than that on a loaded box.)
    pool.options.connectionTimeoutMillis = CONNECT_TIMEOUT_MS;
    await t.rejects(
      `with all ${POOL_SIZE} checked out, the next pool.connect() fails after connectionTimeoutMillis (${CONNECT_TIMEOUT_MS} ms)`,
      () => pool.connect(),
      /timeout exceeded when trying to connect/,
    );

    // Instances of a service, each with its own pool: together they must fit under the limit.
    for (const c of held) c.release();
    held.length = 0;
    await pool.end();
    await settleTo(env.control, inUse);
    const room = MAX_CONNECTIONS - RESERVED - inUse;
    const instances = Math.ceil(room / POOL_SIZE) + 1;
    const opened = await holdMany(instances * POOL_SIZE, () => env.cluster.connect('app'));
    t.defer(() => endAll(opened.clients));
    t.say(
      `${instances} instances × pool size ${POOL_SIZE} = ${instances * POOL_SIZE} connections wanted; ` +
        `max_connections ${MAX_CONNECTIONS} − ${RESERVED} reserved − ${inUse} in use = ${room} available to app.`,
    );
    t.show(
      'connected / refused',
      `${opened.clients.length} / ${tally(opened.errors.map((e) => e.code))}`,
    );
    t.equal(
      'pools that together want more than max_connections − reserved − in use: the surplus gets 53300',
      {
        connected: opened.clients.length,
        refused: opened.errors.filter((e) => e.code === '53300').length,
      },
      { connected: room, refused: instances * POOL_SIZE - room },
    );
  },
);
