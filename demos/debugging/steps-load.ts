// The load average: what it counts (runnable tasks, threads included, and tasks in
// uninterruptible sleep), why it lags, and what to read instead (the instant counts, PSI).

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { step } from '../kit/define.ts';
import type { SandboxProc } from '../kit/sandbox.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, startTarget } from './env.ts';
import {
  blockedIn,
  isPending,
  loadavg,
  pressure,
  procStat,
  statusField,
  threadStates,
} from './proc.ts';
import { iowaitTicks, throttledReaders } from './throttle.ts';
import { lines } from './tools.ts';

/** The C locale: iostat prints decimal points and the column layout parsed here. */
const C = { LC_ALL: 'C' };

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

export const loadDstateStep = step<Env>(
  {
    id: 'load-dstate',
    section: 'uninterruptible-sleep-iowait-and-psi',
    title: 'Tasks in D state (throttled disk reads) raise the load with no CPU used; iowait, PSI',
    needs: ['loop-devices', 'cgroup-io'],
  },
  async (t, env) => {
    const n = Math.max(6, availableParallelism());
    const t0 = performance.now();
    const start = { load: loadavg(), iowait: iowaitTicks(), psi: pressure('io') };
    const io = await throttledReaders(env, n, 4096 * n);
    t.defer(() => io.lift());
    t.waiting(`${n} readers to block in the throttled block layer`);
    // Blocked in a system call, past the shell that put it in the cgroup: then read its state.
    await waitFor('every reader to block in a read', () =>
      io.readers.every((r) => blockedIn(r.pid, 'dd')) ? true : undefined,
    );
    const states = io.readers.map((r) => statusField(r.pid, 'State') ?? 'gone');
    const blocked = procStat('procs_blocked');
    const first = io.readers[0] as SandboxProc;
    const wchan = readFileSync(`/proc/${first.pid}/wchan`, 'utf8');
    t.show('a reader', `State ${states[0]}, wchan ${wchan}`);
    t.equal(
      `all ${n} readers are in state D (disk sleep): their O_DIRECT reads wait in the block layer`,
      states.filter((s) => s.startsWith('D')).length,
      n,
    );
    t.check(
      `/proc/stat procs_blocked counts them: ${blocked} ≥ ${n}`,
      blocked >= n,
      String(blocked),
    );
    const vmstat = await env.sandbox.run('vmstat', ['1', '2'], { env: C });
    const vm = lines(vmstat.stdout);
    const b = Number(vm.at(-1)?.trim().split(/\s+/)[1]);
    t.block(['$ vmstat 1 2   (the first line is the average since boot)', ...vm.slice(1)]);
    t.check(`vmstat's b column counts the tasks blocked on I/O: ${b} ≥ ${n}`, b >= n, vm.at(-1));
    const iostat = await env.sandbox.run('iostat', ['-y', '-x', '1', '1', io.device], { env: C });
    const row = lines(iostat.stdout).find((l) => l.startsWith(basename(io.device)));
    const head = lines(iostat.stdout).find((l) => l.startsWith('Device'));
    const col = (name: string) => Number(row?.split(/\s+/)[head?.split(/\s+/).indexOf(name) ?? -1]);
    t.block([`$ iostat -y -x 1 1 ${io.device}`, ...(head && row ? [head, row] : [])]);
    t.check("iostat -x sees the device's reads (r/s > 0)", col('r/s') > 0, row);

    const rows: unknown[][] = [['start', start.load.load1, start.load.running, '-']];
    for (let i = 1; i <= 4; i++) {
      await delay(5000);
      const now = loadavg();
      rows.push([`+${5 * i} s`, now.load1, now.running, procStat('procs_blocked')]);
    }
    const wall = (performance.now() - t0) / 1000;
    const psi = pressure('io');
    const iowait = iowaitTicks() - start.iowait;
    t.table(['', 'load1', 'runnable (4th field)', 'procs_blocked'], rows);
    t.show(
      'iowait over the window',
      `${iowait} ticks of ${Math.round(wall * 100 * availableParallelism())} CPU ticks (USER_HZ 100)`,
    );
    if (psi && start.psi) {
      const stalled = (psi.total - start.psi.total) / 1e6;
      t.show('PSI io "some" over the window', `${stalled.toFixed(1)} s of ${wall.toFixed(1)} s`);
      t.check(
        'PSI io "some" grew by at least 40 % of the wall time: some task was stalled on I/O',
        stalled >= 0.4 * wall,
        `${stalled.toFixed(1)} s of ${wall.toFixed(1)} s`,
      );
    } else
      t.say(
        'No /proc/pressure here: PSI is off (boot with psi=1) or the kernel is older than 4.20.',
      );

    // iowait is idle time: give every CPU two spinning threads and it vanishes, though the
    // readers still wait exactly as before.
    const spinners = 2 * availableParallelism();
    const { p: spin } = await startTarget(env, ['spin', String(spinners)], /spinning/);
    const busy0 = { iowait: iowaitTicks(), at: performance.now() };
    await delay(3000);
    const busyTicks = iowaitTicks() - busy0.iowait;
    const busyWall = (performance.now() - busy0.at) / 1000;
    const stillBlocked = procStat('procs_blocked');
    spin.kill();
    const possible = Math.round(busyWall * 100 * availableParallelism());
    t.show(
      `iowait with ${spinners} spinning threads added`,
      `${busyTicks} ticks of ${possible} over ${busyWall.toFixed(1)} s, with procs_blocked ${stillBlocked}`,
    );
    t.check(
      `with the CPUs kept busy iowait stays under 5 % of CPU time while ${n} tasks still wait on I/O`,
      busyTicks < 0.05 * possible && stillBlocked >= n,
      `${busyTicks} of ${possible} ticks, procs_blocked ${stillBlocked}`,
    );

    first.kill('SIGKILL');
    const killedState = statusField(first.pid, 'State');
    const pending = isPending(first.pid, 'SIGKILL');
    const killedAt = performance.now();
    await first.gone;
    t.show(
      'SIGKILL to a reader in D',
      `right after: State ${killedState}, KILL pending ${pending}; gone ${((performance.now() - killedAt) / 1000).toFixed(1)} s later, when its read completed`,
    );
  },
);
