// cgroups: a memory limit the OOM killer enforces with SIGKILL, a CPU quota that throttles a
// spinner to half a core, and a pids limit that makes fork fail with EAGAIN. The files read are
// the ones of the cgroup version the controller is mounted on here (versions.ts).

import { performance } from 'node:perf_hooks';
import { step } from '../kit/define.ts';
import type { Cgroup } from '../kit/sandbox.ts';
import { expectedFor } from '../kit/versions.ts';
import { cgroupVersionOf, type Env, sandboxFor } from './env.ts';
import { filesOf, LIMIT, MiB, memoryFilesHere, readValue, runHog, shipped } from './memory.ts';
import { cpuFiles } from './versions.ts';

function controllersOf(files: string[]): string[] {
  return [...new Set(files.map((f) => f.split('.')[0] as string))];
}

export const oomStep = step<Env>(
  {
    id: 'oom',
    section: 'a-memory-limit-and-the-oom-killer',
    title:
      'Past its memory limit a process is killed with SIGKILL: signal 9 to its parent, 137 to a shell',
    needs: ['cgroup-memory'],
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    const { version, fact, limit: limitFile, peak: peakFile, oom: oomFile } = memoryFilesHere();
    t.say(`cgroup v${version}: ${fact.value}`);
    const cgroup = await sb.cgroup(['memory']);
    await cgroup.limitMemory(LIMIT);
    t.equal(
      `the limit file reads back 128 MiB (${limitFile})`,
      readValue(cgroup, limitFile),
      LIMIT,
    );

    const direct = await runHog(sb, cgroup);
    const afterDirect = readValue(cgroup, oomFile);
    const viaShell = await sb.run(
      'sh',
      ['-c', `"${process.execPath}" "${shipped('hog.mjs')}" >/dev/null; echo "status $?"`],
      { cgroup },
    );
    const afterShell = readValue(cgroup, oomFile);
    const peak = readValue(cgroup, peakFile);
    t.table(
      ['run', 'parent saw', 'last line printed', `${oomFile} after`],
      [
        ['node hog.mjs', `code ${direct.code}, signal ${direct.signal}`, direct.last, afterDirect],
        [
          'sh -c "node hog.mjs; echo $?"',
          `code ${viaShell.code}`,
          viaShell.stdout.trim(),
          afterShell,
        ],
      ],
    );
    t.show(`${peakFile} (MiB)`, (peak / MiB).toFixed(2));
    t.equal(
      'the hog never finished: its parent saw no exit code, signal SIGKILL',
      [direct.code, direct.signal, direct.survived],
      [null, 'SIGKILL', false],
    );
    t.equal(
      'a shell reports the same death as status 137 (128 + 9)',
      viaShell.stdout.trim(),
      'status 137',
    );
    t.equal(
      `the cgroup's OOM kill counter counts both kills: 1, then 2 (${oomFile})`,
      [afterDirect, afterShell],
      [1, 2],
    );
    t.check(
      `usage peaked at the limit, within one 256 KiB charge batch (${peakFile})`,
      peak <= LIMIT && peak > LIMIT - 256 * 1024,
      `${peak}`,
    );
  },
);

export const cpuPidsStep = step<Env>(
  {
    id: 'cpu-pids',
    section: 'cpu-and-pids-limits',
    title: 'A quota of half a core throttles a spinner; a pids limit makes fork fail with EAGAIN',
    needs: ['cgroup-cpu', 'cgroup-pids'],
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    const version = cgroupVersionOf('cpu');
    const fact = expectedFor(cpuFiles, `v${version}`);
    const files = filesOf(fact.value);
    const [throttledFile, usageFile] = files.slice(-2) as [string, string];
    t.say(`cgroup v${version}: ${fact.value}`);
    const spinner = [shipped('spin.mjs'), '2000'];
    const free = await sb.cgroup(controllersOf(files));
    const capped = await sb.cgroup(controllersOf(files));
    // On a busy machine a cgroup of default weight gets a small slice and is never held back by
    // a quota it does not reach. The highest weight (v1 cpu.shares, v2 cpu.weight) gives it a core
    // whenever it wants one; then the quota alone decides.
    for (const cgroup of [free, capped])
      await cgroup.write(
        ...((version === '1' ? ['cpu.shares', 262_144] : ['cpu.weight', 10_000]) as [
          string,
          number,
        ]),
      );
    const period = 100_000;
    await capped.limitCpu(0.5, period);
    const rows: (string | number)[][] = [];
    const measured = new Map<Cgroup, { share?: number; throttled: number }>();
    for (const [label, cgroup] of [
      ['no quota', free],
      ['quota 50 ms per 100 ms', capped],
    ] as const) {
      const started = performance.now();
      await sb.run(process.execPath, spinner, { cgroup });
      const wallUs = (performance.now() - started) * 1000;
      const stat = cgroup.readKeyed('cpu.stat');
      // v1 counts nanoseconds (cpuacct.usage), v2 microseconds (usage_usec).
      const usageUs = readValue(cgroup, usageFile) / (version === '1' ? 1000 : 1);
      const periods = stat.get('nr_periods') ?? 0;
      const throttled = readValue(cgroup, throttledFile);
      const share = periods ? usageUs / (periods * period) : undefined;
      measured.set(cgroup, { share, throttled });
      const ofWall = (usageUs / wallUs).toFixed(2);
      rows.push([
        label,
        periods,
        throttled,
        (usageUs / 1000).toFixed(0),
        ofWall,
        share?.toFixed(3) ?? '—',
      ]);
    }
    t.table(
      ['spinner, 2 s', 'periods', 'throttled', 'CPU ms', 'CPU / wall', 'CPU / periods'],
      rows,
    );
    const cappedRun = measured.get(capped);
    t.check(
      'under a quota of half a core the spinner got at most half a core per period (share ≤ 0.55)',
      (cappedRun?.share ?? 1) <= 0.55,
      `${cappedRun?.share}`,
    );
    t.check(
      `the throttle counter counts the periods it was held back (> 0; ${throttledFile})`,
      (cappedRun?.throttled ?? 0) > 0,
    );

    const pids = await sb.cgroup(['pids']);
    const max = 8;
    await pids.limitPids(max);
    const fork = await sb.run('/usr/bin/python3', [shipped('forker.py')], { cgroup: pids });
    const events = pids.readKeyed('pids.events').get('max') ?? 0;
    t.show('forker.py', fork.stdout.trim());
    t.equal(
      `with pids.max = ${max}, a single-threaded process forks ${max - 1} children, then fork fails with EAGAIN`,
      fork.stdout.trim(),
      `forked ${max - 1} then EAGAIN`,
    );
    t.check('pids.events counts the refused forks (max ≥ 1)', events >= 1, `${events}`);
  },
);
