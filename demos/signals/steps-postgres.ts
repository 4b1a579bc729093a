// PostgreSQL's three shutdown modes are three signals to the postmaster (PostgreSQL 15 docs,
// "Shutting Down the Server"): TERM smart, INT fast, QUIT immediate. Each tried on a throwaway
// cluster with a client connected.

import type pg from 'pg';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { endedWithin, exitWithin, type Proc, until } from './harness.ts';
import { initCluster } from './postgres.ts';
import { describeExit } from './targets.ts';

/** The error a query or a connection attempt ended with: "57P01 terminating connection …". */
async function failure(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return 'succeeded';
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return [e.code, e.message].filter(Boolean).join(' ');
  }
}

const logLine = (p: Proc, pattern: RegExp) =>
  p
    .output()
    .split('\n')
    .find((l) => pattern.test(l))
    ?.replace(/^.*?(LOG|FATAL|WARNING):\s+/, '$1: ') ?? '';

async function activeSleep(watcher: pg.Client): Promise<void> {
  await until('pg_sleep to be running', async () => {
    const r = await watcher.query(
      "SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep%'",
    );
    return r.rowCount ? true : undefined;
  });
}

export const postgresStep = step<Env>(
  {
    id: 'postgres',
    section: 'postgresql-shutdown-modes',
    title:
      'PostgreSQL: smart (TERM) waits, fast (INT) disconnects, immediate (QUIT) needs recovery',
    needs: ['postgres15-binaries'],
  },
  async (t, env) => {
    t.waiting('initdb of a throwaway cluster');
    const cluster = await initCluster(env.procs);
    t.defer(() => cluster.remove());
    let server = await cluster.start();
    t.defer(async () => {
      if (server.running()) {
        server.child.kill('SIGINT');
        await exitWithin(server, 10_000);
      }
    });
    const a = await cluster.client();
    const version = (await a.query('SHOW server_version')).rows[0]?.server_version as string;
    t.uses('postgresql', version.split(' ')[0] ?? version);

    server.child.kill('SIGTERM');
    await server.waitFor(/received smart shutdown request/);
    const newLogin = await failure(() => cluster.client());
    const stillServed = await failure(() => a.query('SELECT 1'));
    const waiting = server.running();
    await a.end();
    const smartExit = await exitWithin(server, 10_000);
    const rows: string[][] = [
      [
        'TERM (smart)',
        'connected session',
        stillServed === 'succeeded' ? 'still served' : stillServed,
      ],
      ['', 'a new login', newLogin],
      ['', 'postmaster', `${describeExit(smartExit)}, after the session left`],
    ];
    t.match(
      'smart: a new login is refused while it waits',
      newLogin,
      /57P03 the database system is shutting down/,
    );
    t.check(
      'smart: the connected session is still served, and the server waits for it',
      stillServed === 'succeeded' && waiting,
    );
    t.equal(
      'smart: it stops once the last session disconnects',
      describeExit(smartExit),
      'exit code 0',
    );

    server = await cluster.start();
    const b = await cluster.client();
    const watcher = await cluster.client();
    const killed = failure(() => b.query('SELECT pg_sleep(30)'));
    await activeSleep(watcher);
    server.child.kill('SIGINT');
    const fastError = await killed;
    // Ended, not exited: the log is read next, and its last lines can arrive after the exit.
    const fastExit = await endedWithin(server, 10_000);
    const checkpoint = logLine(server, /checkpoint starting: shutdown/);
    rows.push(
      ['INT (fast)', 'running query', fastError],
      ['', 'postmaster', describeExit(fastExit)],
    );
    t.match(
      'fast: a running query is ended with 57P01 "terminating connection due to administrator command"',
      fastError,
      /^57P01 terminating connection due to administrator command/,
    );
    t.check(
      'fast: a shutdown checkpoint is written before it exits',
      checkpoint !== '' && fastExit?.code === 0,
      checkpoint,
    );

    server = await cluster.start();
    const c = await cluster.client();
    const cWatcher = await cluster.client();
    const cut = failure(() => c.query('SELECT pg_sleep(30)'));
    await activeSleep(cWatcher);
    server.child.kill('SIGQUIT');
    const immediateError = await cut;
    const immediateExit = await endedWithin(server, 10_000);
    rows.push(
      ['QUIT (immediate)', 'running query', immediateError],
      ['', 'postmaster', describeExit(immediateExit)],
    );
    t.check(
      'immediate: the query ends at once, and no shutdown checkpoint is written',
      immediateError !== 'succeeded' && logLine(server, /checkpoint starting: shutdown/) === '',
      immediateError,
    );
    server = await cluster.start();
    const recovery = logLine(server, /not properly shut down/);
    t.table(['signal', 'who', 'what happened'], rows);
    t.block([
      `after INT: ${checkpoint}  ("immediate": written at full speed, not spread out)`,
      `restart after QUIT: ${recovery}`,
    ]);
    t.match(
      'after immediate the next start logs "not properly shut down; automatic recovery in progress"',
      recovery,
      /database system was not properly shut down; automatic recovery in progress/,
    );
  },
);
