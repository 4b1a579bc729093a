// The same crowd through PgBouncer: in transaction mode 50 clients share 5 server connections and
// queue for them (SHOW POOLS), the queue has a deadline (query_wait_timeout), and the three
// pooling modes differ in when a server connection goes back to the pool.

import type pg from 'pg';
import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import type { PoolRow } from './bouncer.ts';
import {
  backendPid,
  endAll,
  ONE_CONNECTION,
  onlyControl,
  poolRow,
  tally,
  transactionBlock,
} from './clients.ts';
import type { Env } from './env.ts';

const CLIENTS = 50;
const SLEEP_S = 0.5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

export const pooledStep = step<Env>(
  {
    id: 'pooled',
    section: 'pgbouncer-in-transaction-mode',
    title: `The same ${CLIENTS} clients through PgBouncer on 5 server connections`,
  },
  async (t, env) => {
    // Counted from a quiet server: no backends of earlier steps still exiting.
    await onlyControl(env);
    const started = Date.now();
    const answers: { pid: number; ms: number }[] = [];
    const failures: string[] = [];
    const work = Array.from({ length: CLIENTS }, async () => {
      const from = Date.now();
      const c = await env.bouncer.client('tx5');
      try {
        const { rows } = await c.query<{ pid: number }>(
          `SELECT pg_backend_pid() AS pid, pg_sleep(${SLEEP_S})`,
        );
        answers.push({ pid: Number(rows[0]?.pid), ms: Date.now() - from });
      } catch (err) {
        failures.push((err as Error).message);
      } finally {
        await c.end().catch(() => undefined);
      }
    });
    // While they run: the queue as PgBouncer and the server see it.
    let busiest: PoolRow | undefined;
    let appBackends = 0;
    const done = Promise.allSettled(work);
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    // Sampled until every client has its answer: the most clients queued behind 5 busy servers.
    await waitFor(
      `${CLIENTS} clients to be answered`,
      async () => {
        const row = await poolRow(env.bouncer, 'tx5');
        const { rows } = await env.control.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'app'",
        );
        appBackends = Math.max(appBackends, rows[0]?.n ?? 0);
        const full = row && Number(row.sv_active) === 5 && Number(row.cl_waiting) > 0;
        if (full && Number(row.cl_waiting) > Number(busiest?.cl_waiting ?? -1)) busiest = row;
        return finished ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await done;
    const wall = Date.now() - started;
    const perPid = tally(answers.map((a) => String(a.pid)));
    t.table(
      ['cl_active', 'cl_waiting', 'sv_active', 'sv_idle', 'maxwait_us'],
      [
        [
          busiest?.cl_active,
          busiest?.cl_waiting,
          busiest?.sv_active,
          busiest?.sv_idle,
          busiest?.maxwait_us,
        ],
      ],
    );
    t.show('queries per server backend pid', perPid);
    const ms = answers.map((a) => a.ms);
    t.show(
      'each client, connect to answer (ms): fastest / median / slowest',
      `${Math.min(...ms)} / ${median(ms)} / ${Math.max(...ms)} (the query itself sleeps ${SLEEP_S * 1000}); all ${CLIENTS} in ${wall} ms`,
    );
    t.equal(
      `all ${CLIENTS} clients got their answer`,
      { answered: answers.length, failed: failures },
      { answered: CLIENTS, failed: [] },
    );
    t.check(
      'they were served by at most 5 server connections (distinct pg_backend_pid values)',
      new Set(answers.map((a) => a.pid)).size <= 5,
      perPid,
    );
    t.check(
      'the server saw at most 5 backends of role app while they ran',
      appBackends > 0 && appBackends <= 5,
      `${appBackends} at most`,
    );
    t.check(
      'the rest queued in PgBouncer: SHOW POOLS showed cl_waiting > 0 with every server connection busy',
      Number(busiest?.cl_waiting) > 0 && Number(busiest?.sv_active) === 5,
      JSON.stringify(busiest),
    );
  },
);

const WAIT_TIMEOUT_S = 1;
const HOLD_S = 4;

export const queueTimeoutStep = step<Env>(
  {
    id: 'queue-timeout',
    section: 'pgbouncer-in-transaction-mode',
    title: 'The queue has a deadline: query_wait_timeout',
  },
  async (t, env) => {
    // The pool's server connection is opened first: on a loaded machine opening it can take
    // longer than the timeout, which would then fail the first client too.
    const warm = await env.bouncer.client('tx1');
    await warm.query('SELECT 1');
    await warm.end();
    await env.bouncer.admin(`SET query_wait_timeout = ${WAIT_TIMEOUT_S}`);
    t.defer(() => env.bouncer.admin('SET query_wait_timeout = 120'));
    const clients = await Promise.all(Array.from({ length: 4 }, () => env.bouncer.client('tx1')));
    t.defer(() => endAll(clients));
    t.say(
      `query_wait_timeout = ${WAIT_TIMEOUT_S} s; 4 clients of pool tx1 (1 server connection) each run pg_sleep(${HOLD_S}).`,
    );
    const results = await Promise.allSettled(
      clients.map((c) => c.query(`SELECT pg_sleep(${HOLD_S})`)),
    );
    const outcome = results.map((r) => {
      if (r.status === 'fulfilled') return 'answered';
      const e = r.reason as { code?: string; message: string };
      return `${e.code} ${e.message}`;
    });
    t.show('outcomes', tally(outcome));
    t.equal(
      `one client had the server connection; the 3 that waited longer than ${WAIT_TIMEOUT_S} s got 08P01 query_wait_timeout`,
      outcome.sort(),
      [
        '08P01 query_wait_timeout',
        '08P01 query_wait_timeout',
        '08P01 query_wait_timeout',
        'answered',
      ],
    );
  },
);

const MODE_CLIENTS = 6;
const MODE_POOL = 2;

/** What one pooling mode does with 6 clients and 2 server connections. */
async function tryMode(env: Env, database: string) {
  const clients = await Promise.all(
    Array.from({ length: MODE_CLIENTS }, () => env.bouncer.client(database)),
  );
  try {
    const pids: number[] = [];
    const served: pg.Client[] = [];
    for (const c of clients) {
      void backendPid(c).then(
        (p) => {
          pids.push(p);
          served.push(c);
        },
        () => undefined,
      );
    }
    // Settled when every client is answered, or each one that is not waits in PgBouncer's queue
    // while the answered ones hold every server connection (session mode keeps them).
    const row = await waitFor(`every ${database} client to be answered or queued`, async () => {
      const r = await poolRow(env.bouncer, database);
      if (!r) return undefined;
      const settled =
        pids.length === MODE_CLIENTS ||
        (pids.length + Number(r.cl_waiting) === MODE_CLIENTS &&
          Number(r.sv_login) === 0 &&
          Number(r.sv_idle) === 0 &&
          Number(r.sv_active) === pids.length);
      return settled ? r : undefined;
    });
    const answered = pids.length;
    // The queue once settled (the row above can predate the last answers).
    const queued = Number((await poolRow(env.bouncer, database))?.cl_waiting ?? row.cl_waiting);
    // A transaction block on one client that has its answer.
    const answeredClient = served[0] as pg.Client;
    const block = await transactionBlock(answeredClient);
    return { answered, waiting: queued, servers: new Set(pids).size, block };
  } finally {
    await endAll(clients);
  }
}

export const modesStep = step<Env>(
  {
    id: 'modes',
    section: 'session-transaction-and-statement-mode',
    title: `Session, transaction and statement mode: ${MODE_CLIENTS} clients, ${MODE_POOL} server connections`,
  },
  async (t, env) => {
    const session = await tryMode(env, 'session2');
    const transaction = await tryMode(env, 'transaction2');
    const statement = await tryMode(env, 'statement2');
    t.table(
      [
        'pool_mode',
        'clients answered at once',
        'clients queued',
        'server connections',
        'BEGIN; …; COMMIT',
      ],
      [
        ['session', session.answered, session.waiting, session.servers, session.block],
        [
          'transaction',
          transaction.answered,
          transaction.waiting,
          transaction.servers,
          transaction.block,
        ],
        ['statement', statement.answered, statement.waiting, statement.servers, statement.block],
      ],
    );
    t.equal(
      `session mode: a client keeps its server connection until it disconnects, so only ${MODE_POOL} of ${MODE_CLIENTS} idle-but-connected clients are served`,
      { answered: session.answered, waiting: session.waiting },
      { answered: MODE_POOL, waiting: MODE_CLIENTS - MODE_POOL },
    );
    t.equal(
      `transaction mode: the connection returns to the pool after each transaction, so all ${MODE_CLIENTS} are served`,
      transaction.answered,
      MODE_CLIENTS,
    );
    t.equal(
      'transaction mode keeps a BEGIN … COMMIT block on one server connection',
      transaction.block,
      ONE_CONNECTION,
    );
    t.match(
      'statement mode refuses a transaction block',
      statement.block,
      /transaction blocks not allowed in statement pooling mode/,
    );
  },
);
