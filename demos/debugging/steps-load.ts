// The load average: what it counts (runnable tasks, threads included, and tasks in
// uninterruptible sleep), why it lags, and what to read instead (the instant counts, PSI).

import { setTimeout as delay } from 'node:timers/promises';
import { step } from '../kit/define.ts';
import { type Env, startTarget } from './env.ts';
import { loadavg, pressure, procStat, threadStates } from './proc.ts';

/** The median of `n` counts taken `everyMs` apart. */
async function medianOf(n: number, everyMs: number, count: () => number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i) await delay(everyMs);
    samples.push(count());
  }
  return samples.sort((a, b) => a - b)[Math.floor(n / 2)] as number;
}

export const loadThreadsStep = step<Env>(
  {
    id: 'load-threads',
    section: 'load-average-what-it-counts',
    title: 'N spinning threads are N runnable tasks; the load average follows slowly',
  },
  async (t, env) => {
    const before = loadavg();
    const n = 2;
    const { p } = await startTarget(env, ['spin', String(n)], /spinning/);
    const r = await medianOf(5, 100, () => threadStates(p.pid).filter((s) => s === 'R').length);
    const states = threadStates(p.pid);
    const during = loadavg();
    const psi = pressure('cpu');
    p.kill();
    t.table(
      ['', '/proc/loadavg (1, 5, 15 min)', 'runnable now (4th field)', 'procs_running'],
      [
        ['before', `${before.load1} ${before.load5} ${before.load15}`, before.running, '-'],
        [
          `${n} threads spinning`,
          `${during.load1} ${during.load5} ${during.load15}`,
          during.running,
          procStat('procs_running'),
        ],
      ],
    );
    t.show(`states of the ${states.length} threads of the spinning process`, states.join(' '));
    t.equal(
      `${n} worker threads in a busy loop are ${n} tasks in state R: the load counts threads, not processes`,
      r,
      n,
    );
    if (psi)
      t.show(
        'PSI cpu some avg10 (share of the last 10 s some task waited for a CPU)',
        `${psi.avg10}%`,
      );
    t.say(
      'The 1-minute figure is an exponentially damped average sampled every 5 s: one spike of a ' +
        'few seconds moves it little, and it takes minutes to fall. Read the instant counts.',
    );
  },
);
