// Nothing left behind: the demo run as a user runs it, interrupted with Ctrl-C (SIGINT) at five
// points where it holds the most (a traced loop, a held mount, D-state readers in a throttled
// cgroup, two captures, the staged problems), run to its end, and run twice at once. After each
// exit the kernel's own lists must hold nothing of that run's sandbox: no process, mount, loop
// device, cgroup or folder (kit/sandbox-leftovers.ts reads them).

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { plainEnv } from '../kit/endpoints.ts';
import { ROOT } from '../kit/paths.ts';
import { sandboxObjects } from '../kit/sandbox-leftovers.ts';
import { fileNeeds } from '../kit/vitest.ts';
import { waitFor } from '../kit/wait.ts';

interface Run {
  pid: number;
  stdout: () => string;
  exited: Promise<number | null>;
}

/** `node --import tsx demos/debugging …`: the demo is this pid, which names its sandbox. */
function start(args: string[]): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', 'demos/debugging/index.ts', ...args], {
    cwd: ROOT,
    env: { ...plainEnv(), CI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d;
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('close', (code) => resolve(code)),
  );
  return { pid: child.pid ?? -1, stdout: () => out, exited };
}

/** What the run's sandbox still has in the kernel's lists. */
function leftovers(run: Run): Promise<string[]> {
  return sandboxObjects(`wn-${run.pid.toString(36)}-`);
}

const MINUTES = 60_000;
const needs = fileNeeds([
  'root',
  'strace',
  'lsof',
  'tcpdump',
  'tshark',
  'sysstat',
  'python3',
  'loop-devices',
  'cgroup-io',
]);

describe('debugging leaves nothing behind', () => {
  it.each([
    ['strace-vdso', /clocksource/, 'a traced Python loop in flight'],
    ['held-space', /df used \(KiB\)/, 'a mounted loop device, a process holding a deleted file'],
    ['load-dstate', /a reader/, 'six readers in D inside a throttled cgroup'],
    ['packets', /Capturing on lo/, 'two tcpdump captures running'],
    ['first-minute', /Staged:/, 'a runaway, a stray listener, a full filesystem'],
  ])(
    'after Ctrl-C during %s (%s: %s)',
    async (step, marker) => {
      if (!needs.ready()) return;
      const run = start(['--step', step]);
      await waitFor(
        `the demo to reach ${marker}`,
        () => (marker.test(run.stdout()) ? true : undefined),
        {
          timeoutMs: 2 * MINUTES,
        },
      );
      process.kill(run.pid, 'SIGINT');
      expect(await run.exited, run.stdout()).toBe(130);
      expect(await leftovers(run), run.stdout()).toEqual([]);
    },
    4 * MINUTES,
  );

  it(
    'after a run to its end, and after two runs at once',
    async () => {
      if (!needs.ready()) return;
      const steps = ['--step', 'held-space', '--step', 'inodes', '--step', 'first-minute'];
      const runs = [start(steps), start(steps)];
      const codes = await Promise.all(runs.map((r) => r.exited));
      expect(codes, runs.map((r) => r.stdout()).join('\n')).toEqual([0, 0]);
      for (const r of runs) expect(await leftovers(r)).toEqual([]);
    },
    6 * MINUTES,
  );
});
