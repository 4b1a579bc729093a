// Lab: 50 app workers that keep their connections open, behind a PgBouncer that may hold 5 server
// connections. The learner's pgbouncer.ini runs in the PgBouncer the steps start (startBouncer),
// in front of a cluster like theirs (max_connections = 20); the claims are the steps `modes` and
// `pooled`: a transaction block on one server connection, at most 5 backends, everyone answered.

import type pg from 'pg';
import { defineLab } from '../../../kit/lab.ts';
import { waitFor } from '../../../kit/wait.ts';
import { type Bouncer, type PoolRow, startBouncer } from '../../bouncer.ts';
import {
  clientBackends,
  endAll,
  holdMany,
  ONE_CONNECTION,
  poolRow,
  tally,
  transactionBlock,
} from '../../clients.ts';
import { labCluster, readIni } from '../../lab-setup.ts';

const WORKERS = 50;
const SERVER_LIMIT = 5;

/**
 * The workers connect at once, each runs one transaction and stays connected. Settled when each
 * has its outcome, or when the rest wait in PgBouncer with no server connection that could free
 * up (each one held by a worker that stays connected: session mode's way), seen twice running.
 */
async function crowd(bouncer: Bouncer, control: pg.Client) {
  const { clients, errors } = await holdMany(WORKERS, () => bouncer.client('app'));
  const outcomes: string[] = errors.map((e) => `connect: ${e.code} ${e.message}`);
  for (const c of clients) void transactionBlock(c).then((o) => outcomes.push(o));
  let peak = 0;
  let row: PoolRow | undefined;
  let stuckBefore = false;
  let got: string[] = [];
  try {
    await waitFor(
      `${WORKERS} workers to be answered, or to wait with every server connection held`,
      async () => {
        peak = Math.max(peak, await clientBackends(control, 'app'));
        const done = outcomes.length;
        row = await poolRow(bouncer, 'app');
        if (done === WORKERS) return true;
        const stuck =
          row !== undefined &&
          outcomes.length === done &&
          Number(row.cl_waiting) > 0 &&
          done + Number(row.cl_waiting) === WORKERS &&
          Number(row.sv_idle) + Number(row.sv_used) + Number(row.sv_login) === 0;
        const twice = stuck && stuckBefore;
        stuckBefore = stuck;
        return twice ? true : undefined;
      },
      { timeoutMs: 20_000 },
    );
  } finally {
    // What each worker got by now: the ones still waiting are ended next.
    got = [...outcomes, ...Array(WORKERS - outcomes.length).fill('still waiting in PgBouncer')];
    await endAll(clients);
  }
  return { outcomes: got, peak, row };
}

export const lab = defineLab(import.meta.url, {
  id: 'pool-mode',
  title: '50 workers, 5 server connections',
  task: 'Behind PgBouncer 5 of the 50 app workers are served and 45 hang: make pgbouncer.ini serve all 50 on at most 5 server connections.',
  section: 'session-transaction-and-statement-mode',
  files: ['pgbouncer.ini'],
  needs: ['postgres15-binaries', 'pgbouncer'],
  timeoutMs: 60_000,
  startFails: `all ${WORKERS} workers, connected at once, get their transaction answered`,
  check: async (t, dir) => {
    const { cluster, control } = await labCluster(t);
    const own = readIni(`${dir}/pgbouncer.ini`, { port: String(cluster.port) });
    const bouncer = await startBouncer(cluster, [], own);
    t.uses('pgbouncer', bouncer.version);
    const one = await bouncer.client('app');
    const block = await transactionBlock(one);
    await one.end();
    t.equal("a worker's BEGIN … COMMIT runs on one server connection", block, ONE_CONNECTION);
    const { outcomes, peak, row } = await crowd(bouncer, control);
    const pool = row
      ? `SHOW POOLS: cl_waiting ${row.cl_waiting}, sv_active ${row.sv_active}, sv_idle ${row.sv_idle}`
      : 'no pool app in SHOW POOLS';
    t.check(
      `the server never has more than ${SERVER_LIMIT} connections of role app`,
      peak > 0 && peak <= SERVER_LIMIT,
      `${peak} at most in pg_stat_activity`,
    );
    t.check(
      `all ${WORKERS} workers, connected at once, get their transaction answered`,
      tally(outcomes) === `${WORKERS}× ${ONE_CONNECTION}`,
      `${tally(outcomes)}; ${pool}`,
    );
  },
  hints: [
    {
      claim: `all ${WORKERS} workers, connected at once, get their transaction answered`,
      ladder: [
        'Some workers never got an answer: they wait in PgBouncer (cl_waiting) while every server connection is taken (sv_active) and none is idle.',
        'Who holds the server connections? Each one is linked to a worker that finished its transaction and stays connected. In pool_mode = session a server connection goes back to the pool only when its client disconnects (PgBouncer docs, features.html / config.html "pool_mode").',
        '`pool_mode = transaction` gives the server connection back at COMMIT, so 50 connected workers take turns on 5. The pool size stays what the server can spare.',
      ],
    },
    {
      claim: `the server never has more than ${SERVER_LIMIT} connections of role app`,
      ladder: [
        `The server saw more than ${SERVER_LIMIT} connections of role app: the ones other services need are gone, and past 16 the server refuses with 53300.`,
        'default_pool_size (or pool_size= on the [databases] line, max_db_connections) is what PgBouncer may open to the server per pool. A bigger pool moves the queue from PgBouncer to the server, whose limit is max_connections − superuser_reserved_connections.',
        `Keep the pool at ${SERVER_LIMIT} and change when a server connection is given back: pool_mode.`,
      ],
    },
    {
      claim: "a worker's BEGIN … COMMIT runs on one server connection",
      ladder: [
        'A transaction block did not run on one server connection: it was refused, or split across two.',
        "pool_mode = statement gives the server connection back after every statement, so PgBouncer refuses BEGIN (`transaction blocks not allowed in statement pooling mode`): an app's transactions need at least transaction mode.",
      ],
    },
    {
      claim: 'your files load and the check runs to its end',
      ladder: [
        'PgBouncer did not start with your pgbouncer.ini, or a worker could not connect: the message above names the line or the error.',
        'The check sets listen_addr, listen_port, auth and the log itself; keep [databases] `app = host=127.0.0.1 port={port} dbname=postgres user=app` and put settings in [pgbouncer].',
      ],
    },
  ],
  wrong: [
    {
      case: 'bigger-pool',
      fails: `the server never has more than ${SERVER_LIMIT} connections of role app`,
      why: 'a pool of 50 in session mode asks the server for 50 connections: it has 16 for app, and the rest wait or get 53300',
    },
    {
      case: 'statement',
      fails: "a worker's BEGIN … COMMIT runs on one server connection",
      why: 'statement mode refuses transaction blocks, which the workers run',
    },
  ],
});
