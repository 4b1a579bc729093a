// What transaction pooling breaks: a server connection serves another client after each
// transaction, so anything that lives in the session (SET, advisory locks, LISTEN, protocol-level
// prepared statements) stays with the server connection, not with the client that made it.

import { readFileSync, statSync } from 'node:fs';
import type pg from 'pg';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { waitFor } from '../kit/wait.ts';
import { advisoryHolders, backendPid } from './clients.ts';
import type { Env } from './env.ts';
import { preparedFact } from './versions.ts';

async function setting(c: pg.Client, name: string): Promise<string> {
  const { rows } = await c.query<{ v: string }>('SELECT current_setting($1) AS v', [name]);
  return String(rows[0]?.v);
}

export const sessionStateStep = step<Env>(
  {
    id: 'session-state',
    section: 'what-transaction-pooling-breaks',
    title: 'A SET leaks to the next client, and a client loses its own',
  },
  async (t, env) => {
    // Whatever the steps leave on a server connection is dropped with it.
    t.defer(() => env.bouncer.admin('RECONNECT tx1'));
    t.defer(() => env.bouncer.admin('RECONNECT tx5'));
    const a = await env.bouncer.client('tx1');
    const b = await env.bouncer.client('tx1');
    t.defer(() => Promise.all([a.end(), b.end()]));
    await a.query("SET statement_timeout = '1234ms'");
    const aPid = await backendPid(a);
    await a.end();
    const bPid = await backendPid(b);
    const leaked = await setting(b, 'statement_timeout');
    t.table(
      ['pool tx1 (1 server connection)', 'backend pid', 'statement_timeout'],
      [
        ["client A: SET statement_timeout = '1234ms', then disconnects", aPid, '1234ms'],
        ['client B: never set anything', bPid, leaked],
      ],
    );
    t.equal(
      "client B, on A's server connection, runs with A's statement_timeout after A has gone",
      { pid: bPid, statement_timeout: leaked },
      { pid: aPid, statement_timeout: '1234ms' },
    );
    await b.query('BEGIN');
    await b.query("SET LOCAL statement_timeout = '999ms'");
    await b.query('COMMIT');
    await b.query('SET statement_timeout = DEFAULT');
    t.equal(
      'SET LOCAL ends with its transaction: the next statement sees the default again',
      await setting(b, 'statement_timeout'),
      '0',
    );

    // LIFO reuse (server_round_robin = 0): the connection just released is the next one handed out.
    const c = await env.bouncer.client('tx5');
    const d = await env.bouncer.client('tx5');
    t.defer(() => Promise.all([c.end(), d.end()]));
    await c.query("SELECT set_config('statement_timeout', '4321ms', false)");
    const cPid = await backendPid(c);
    await d.query('BEGIN');
    const dPid = await backendPid(d);
    const later = await backendPid(c);
    const lost = await setting(c, 'statement_timeout');
    await d.query('ROLLBACK');
    t.table(
      ['pool tx5', 'backend pid', 'statement_timeout'],
      [
        ["client C: set_config('statement_timeout', '4321ms', false)", cPid, '4321ms'],
        ['client D: BEGIN (holds that server connection)', dPid, ''],
        ['client C, next statement', later, lost],
      ],
    );
    t.equal("client D's BEGIN got C's server connection (the last one released: LIFO)", dPid, cPid);
    t.equal(
      'client C, on another server connection now, has lost its own setting',
      { other: later !== cPid, statement_timeout: lost },
      { other: true, statement_timeout: '0' },
    );
  },
);

const LOCK_KEY = 4242;

export const advisoryStep = step<Env>(
  {
    id: 'advisory-lock',
    section: 'what-transaction-pooling-breaks',
    title: 'A session advisory lock outlives the client that took it',
  },
  async (t, env) => {
    t.defer(() => env.bouncer.admin('RECONNECT tx1'));
    const a = await env.bouncer.client('tx1');
    await a.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    const aPid = await backendPid(a);
    await a.end();
    const holder = await advisoryHolders(env.control, LOCK_KEY);
    const { rows: tried } = await env.control.query<{ got: boolean }>(
      'SELECT pg_try_advisory_lock($1) AS got',
      [LOCK_KEY],
    );
    t.show('pg_locks: advisory lock held by backend', holder.join(', ') || 'nobody');
    t.equal(
      'after client A disconnected from PgBouncer, its pg_advisory_lock is still held by the pooled server connection',
      holder,
      [aPid],
    );
    t.equal('another session cannot take it', tried[0]?.got, false);
  },
);

const CHANNEL = 'orders_changed';

/** The payloads of the notifications `c` receives from now on. */
function notifications(c: pg.Client): string[] {
  const got: string[] = [];
  c.on('notification', (n) => got.push(n.payload ?? ''));
  return got;
}

/** What PgBouncer's log got after byte `from`. */
function logSince(file: string, from: number): string {
  return readFileSync(file, 'utf8').slice(from);
}

export const listenStep = step<Env>(
  {
    id: 'listen',
    section: 'what-transaction-pooling-breaks',
    title: 'LISTEN behind transaction pooling: the notification never arrives',
  },
  async (t, env) => {
    t.defer(() => env.bouncer.admin('RECONNECT tx1'));
    // Session mode: the client keeps its server connection, and so its LISTEN.
    const s = await env.bouncer.client('session2');
    t.defer(() => s.end());
    const sessionGot = notifications(s);
    await s.query(`LISTEN ${CHANNEL}`);
    const sPid = await backendPid(s);
    await env.control.query(`NOTIFY ${CHANNEL}, 'for C'`);
    await waitFor('the notification through the session-mode pool', () =>
      sessionGot.length ? true : undefined,
    );
    await s.query(`UNLISTEN ${CHANNEL}`);

    // Transaction mode, pool tx1 (one server connection): LISTEN is a transaction of its own,
    // and when it ends the server connection goes back to the pool, still listening.
    const a = await env.bouncer.client('tx1');
    t.defer(() => a.end());
    const aGot = notifications(a);
    await a.query(`LISTEN ${CHANNEL}`);
    const aPid = await backendPid(a);
    const logFrom = statSync(env.bouncer.log).size;
    await env.control.query(`NOTIFY ${CHANNEL}, 'for A'`);
    const dropped = await waitFor('PgBouncer to log the notification it got', () =>
      logSince(env.bouncer.log, logFrom)
        .split('\n')
        .find((l) => /got packet 'A' from server when not linked/.test(l)),
    );
    // The client talks again: nothing was kept for it.
    await a.query('SELECT 1');
    const b = await env.bouncer.client('tx1');
    t.defer(() => b.end());
    const bPid = await backendPid(b);
    const { rows } = await b.query<{ c: string }>('SELECT pg_listening_channels() AS c');
    const listening = rows.map((r) => r.c);
    t.table(
      ['pool', 'client', 'backend pid', 'what it got'],
      [
        ['session2 (session mode)', 'C: LISTEN, then a NOTIFY', sPid, sessionGot.join(', ')],
        ['tx1 (transaction mode)', 'A: LISTEN, then a NOTIFY', aPid, aGot.join(', ') || 'nothing'],
        [
          'tx1 (transaction mode)',
          'B: never LISTENed',
          bPid,
          `listening on ${listening.join(', ')}`,
        ],
      ],
    );
    // The line without its object address and client port, which differ on every run.
    t.show(
      "pgbouncer.log ('A' is a NotificationResponse)",
      dropped.replace(/^.*?(WARNING|LOG) \S+: (\w+)\/\S+ /, '$1 $2: '),
    );
    t.equal(
      'in session mode the listening client gets the NOTIFY: it keeps its server connection between transactions',
      sessionGot,
      ['for C'],
    );
    t.check(
      "in transaction mode a NOTIFY sent after the client's LISTEN transaction ended never reaches it: it arrives on a server connection no client holds, and PgBouncer drops it",
      aGot.length === 0 && dropped !== undefined,
      `client A received ${aGot.length}; PgBouncer: ${dropped}`,
    );
    t.equal(
      'the server connection keeps listening for whoever gets it next: client B, on the same backend, listens without having asked',
      { pid: bPid, channels: listening },
      { pid: aPid, channels: [CHANNEL] },
    );
  },
);

export const preparedStep = step<Env>(
  {
    id: 'prepared',
    section: 'protocol-level-prepared-statements',
    title: 'A named prepared statement behind transaction pooling',
  },
  async (t, env) => {
    t.defer(() => env.bouncer.admin('RECONNECT tx5'));
    const e = await env.bouncer.client('tx5');
    const f = await env.bouncer.client('tx5');
    t.defer(() => Promise.all([e.end(), f.end()]));
    const named = { name: 's1', text: 'SELECT pg_backend_pid() AS pid' };
    // node-postgres sends Parse once per connection for a named query, then only Bind/Execute.
    const ePid = Number((await e.query<{ pid: number }>(named)).rows[0]?.pid);
    await f.query('BEGIN');
    const fPid = await backendPid(f);
    const again = await e.query(named).then(
      () => 'ran',
      (err: { code?: string; message: string }) => `${err.code} ${err.message}`,
    );
    const fPrepares = await f.query(named).then(
      () => 'ran',
      (err: { code?: string; message: string }) => `${err.code} ${err.message}`,
    );
    await f.query('ROLLBACK').catch(() => undefined);
    t.table(
      ['pool tx5', 'backend pid', 'result'],
      [
        ['client E: Parse s1 + Execute', ePid, 'ran'],
        ["client F: BEGIN (holds E's server connection)", fPid, ''],
        ['client E: Execute s1 again (elsewhere)', '', again],
        ['client F: Parse s1', fPid, fPrepares],
      ],
    );
    t.equal("client F's BEGIN got E's server connection (LIFO)", fPid, ePid);
    const expected = expectedFor(preparedFact, env.bouncer.version);
    t.equal(
      `with PgBouncer ${expected.when}, executing E's statement again on another server connection: ${expected.value}`,
      again,
      expected.value,
    );
    t.equal(
      "and F cannot prepare its own s1 on E's connection: 42P05",
      fPrepares,
      '42P05 prepared statement "s1" already exists',
    );
  },
);
