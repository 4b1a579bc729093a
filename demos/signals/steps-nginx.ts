// nginx's own signal meanings (nginx.org "Controlling nginx"): TERM and INT are a fast shutdown,
// QUIT a graceful one, HUP a reload; each tried with a slow request in flight.

import { readFileSync } from 'node:fs';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { exitWithin, procState, until } from './harness.ts';
import { describeOutcome, getOnce, type Outcome } from './http-client.ts';
import { type Nginx, nginxVersion, startNginx, startUpstream, type Upstream } from './nginx.ts';
import { describeExit } from './targets.ts';

const SLOW_MS = 800;

/** A slow request through nginx, once it has reached the upstream (boxed: an async function
 * returning a bare promise would wait for it). */
async function inFlight(nginx: Nginx, upstream: Upstream): Promise<{ response: Promise<Outcome> }> {
  const arrived = upstream.nextRequest();
  const response = getOnce(nginx.port, `/slow?ms=${SLOW_MS}`);
  await arrived;
  return { response };
}

const worker = (o: Outcome) => ('headers' in o ? o.headers['x-worker'] : undefined);

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
  } catch {
    return '(gone)';
  }
}

export const nginxStep = step<Env>(
  {
    id: 'nginx',
    section: 'nginx-term-quit-and-hup',
    title: 'nginx: TERM cuts a slow request, QUIT lets it finish, HUP reloads without refusing one',
    needs: ['nginx-binary'],
  },
  async (t, env) => {
    t.uses('nginx', nginxVersion());
    const upstream = await startUpstream();
    t.defer(() => upstream.close());
    const [fast, graceful, reload] = await Promise.all([
      startNginx(env.procs, env.dir, upstream.port),
      startNginx(env.procs, env.dir, upstream.port),
      startNginx(env.procs, env.dir, upstream.port),
    ]);
    t.say(
      `Three nginx masters of our own on 127.0.0.1, each with one worker, proxying to a ${SLOW_MS} ms upstream.`,
    );

    const cut = await inFlight(fast, upstream);
    fast.proc.child.kill('SIGTERM');
    const cutOutcome = await cut.response;
    const fastExit = await exitWithin(fast.proc, 5000);

    const finished = await inFlight(graceful, upstream);
    graceful.proc.child.kill('SIGQUIT');
    await graceful.proc.waitFor(/gracefully shutting down/);
    // A connection that lands in the backlog as the listener closes is reset; after that,
    // refused. Either way none is served.
    const tries: string[] = [];
    const refused = await until('the listener to close', async () => {
      const o = await getOnce(graceful.port, '/version');
      tries.push(describeOutcome(o));
      return 'error' in o && o.error === 'ECONNREFUSED' ? o.error : undefined;
    });
    const finishedOutcome = await finished.response;
    const gracefulExit = await exitWithin(graceful.proc, 5000);

    t.table(
      ['signal', 'request in flight', 'a new connection', 'master'],
      [
        ['TERM (fast)', describeOutcome(cutOutcome), '', describeExit(fastExit)],
        ['QUIT (graceful)', describeOutcome(finishedOutcome), refused, describeExit(gracefulExit)],
      ],
    );
    t.check(
      'TERM cuts the request in flight: no response',
      'error' in cutOutcome,
      describeOutcome(cutOutcome),
    );
    t.equal('QUIT lets the request in flight finish: 200', describeOutcome(finishedOutcome), '200');
    t.check(
      'after QUIT nginx serves no new connection: it refuses them (ECONNREFUSED)',
      refused === 'ECONNREFUSED' && tries.every((x) => x === 'ECONNREFUSED' || x === 'ECONNRESET'),
      tries.join(', '),
    );
    t.equal(
      'both masters exit 0',
      [describeExit(fastExit), describeExit(gracefulExit)],
      ['exit code 0', 'exit code 0'],
    );

    const before = await getOnce(reload.port, '/version');
    const oldWorker = Number(worker(before));
    const slow = await inFlight(reload, upstream);
    // One client keeps asking, a new connection each time, through the whole switch: from
    // before HUP until the old worker has gone.
    const answers: Outcome[] = [];
    let switching = true;
    const client = (async () => {
      while (switching) answers.push(await getOnce(reload.port, '/version'));
    })();
    t.defer(() => {
      switching = false;
      return client;
    });
    reload.configure('v2');
    reload.proc.child.kill('SIGHUP');
    const after = await until('a response from the new configuration', () =>
      answers.find((o) => 'body' in o && o.body.trim() === 'v2'),
    );
    const oldWhileDraining = await until('the old worker to start draining', () => {
      const c = commandOf(oldWorker);
      return c.includes('shutting down') ? c : undefined;
    });
    const slowOutcome = await slow.response;
    const oldGone = await until('the old worker to exit', () =>
      procState(oldWorker) === undefined ? true : undefined,
    );
    t.table(
      ['', 'body', 'X-Worker'],
      [
        ['before HUP', 'body' in before ? before.body.trim() : '', worker(before) ?? ''],
        ['after HUP', 'body' in after ? after.body.trim() : '', worker(after) ?? ''],
        [
          'the slow request (sent before HUP)',
          describeOutcome(slowOutcome),
          worker(slowOutcome) ?? '',
        ],
      ],
    );
    t.show('the old worker while its request runs', oldWhileDraining);
    switching = false;
    await client;
    const failed = answers.filter((o) => 'error' in o).length;
    const bodies = [...new Set(answers.flatMap((o) => ('body' in o ? [o.body.trim()] : [])))];
    t.show('bodies the client saw, in order of first appearance', bodies.join(' then '));
    t.equal(`HUP: ${answers.length} requests during the reload, none refused or failed`, failed, 0);
    t.check(
      'the new configuration is served by a new worker process',
      Number(worker(after)) !== oldWorker,
      `${worker(after)} vs ${oldWorker}`,
    );
    t.match(
      'the old worker drains: "worker process is shutting down"',
      oldWhileDraining,
      /worker process is shutting down/,
    );
    t.check(
      'the slow request sent before HUP completes (200) on the old worker, which then exits',
      describeOutcome(slowOutcome) === '200' &&
        Number(worker(slowOutcome)) === oldWorker &&
        oldGone,
      `${describeOutcome(slowOutcome)} from ${worker(slowOutcome)}`,
    );
    reload.proc.child.kill('SIGQUIT');
    await exitWithin(reload.proc, 5000);
  },
);
