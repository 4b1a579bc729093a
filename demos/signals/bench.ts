// `npm run bench -- signals`: how long each stop takes, measured side by side. How long a
// keep-alive connection holds a Node server after close(), nginx TERM vs QUIT with a request in
// flight, PostgreSQL's three modes and the restart after each, and the whole demo.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Bench, median, ms, runCommand, timeIt } from '../kit/bench.ts';
import { runName } from '../kit/names.ts';
import { CHECKOUT_CACHE } from '../kit/paths.ts';
import { shipped } from './env.ts';
import { exitWithin, type Proc, Processes } from './harness.ts';
import { getOnce, open } from './http-client.ts';
import { startNginx, startUpstream } from './nginx.ts';
import { initCluster } from './postgres.ts';

const ROUNDS = 3;

/** ms from `signal` to the exit of `p`. */
async function stopTime(p: Proc, signal: NodeJS.Signals): Promise<number> {
  const sent = performance.now();
  p.child.kill(signal);
  await exitWithin(p, 60_000);
  return performance.now() - sent;
}

async function nodeHold(procs: Processes, mode: string, report: (l: string) => void) {
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const app = procs.start(process.execPath, [shipped('http-app.mjs'), mode]);
    const port = Number((await app.waitFor(/listening (\d+)/))[1]);
    const c = await open(port);
    if ('error' in c) throw new Error(c.error);
    const response = c.get('/slow?ms=200');
    await app.waitFor(/request \/slow/);
    samples.push(await stopTime(app, 'SIGTERM'));
    await response;
    c.end();
  }
  report(
    `node ${mode}: TERM → exit with a 200 ms request in flight, median ${ms(median(samples))}`,
  );
}

export const bench: Bench = {
  title: 'signals: how long each stop takes (Node close modes, nginx TERM/QUIT, PostgreSQL modes)',
  run: async (report) => {
    const run = runName('signals');
    const dir = join(CHECKOUT_CACHE, 'signals', run);
    mkdirSync(dir, { recursive: true });
    const procs = new Processes(run);
    const upstream = await startUpstream();
    let cluster: Awaited<ReturnType<typeof initCluster>> | undefined;
    try {
      // close() alone: the in-flight request's connection stays until keepAliveTimeout (5 s).
      for (const mode of ['close', 'close-idle']) await nodeHold(procs, mode, report);

      for (const signal of ['SIGTERM', 'SIGQUIT'] as const) {
        const samples: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const nginx = await startNginx(procs, dir, upstream.port);
          const arrived = upstream.nextRequest();
          const response = getOnce(nginx.port, '/slow?ms=500');
          await arrived;
          samples.push(await stopTime(nginx.proc, signal));
          await response;
        }
        report(
          `nginx ${signal}: → exit with a 500 ms request in flight, median ${ms(median(samples))}`,
        );
      }

      const initdb = await timeIt(async () => {
        cluster = await initCluster(procs);
      });
      report(`initdb --no-sync: ${ms(initdb)}`);
      if (!cluster) return;
      const c = cluster;
      for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
        const stops: number[] = [];
        const starts: number[] = [];
        for (let i = 0; i < ROUNDS; i++) {
          const server = await c.start();
          stops.push(await stopTime(server, signal));
          // The start after the stop: crash recovery after QUIT.
          let next: Proc | undefined;
          starts.push(
            await timeIt(async () => {
              next = await c.start();
            }),
          );
          if (next) await stopTime(next, 'SIGINT');
        }
        report(
          `postgres ${signal}, idle: stop ${ms(median(stops))}, the next start ${ms(median(starts))} (medians)`,
        );
      }
    } finally {
      await upstream.close();
      await procs.killAll();
      cluster?.remove();
      rmSync(dir, { recursive: true, force: true });
    }
    const whole = await timeIt(() => runCommand('npx', ['tsx', 'demos/signals']));
    report(`the whole demo: ${ms(whole)}`);
  },
};
