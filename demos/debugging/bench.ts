// `npm run bench -- debugging`: what tracing costs. The same Python loop, untraced and under
// strace, measured alternately: a loop of syscalls (getppid) pays for every stop; a loop of
// vDSO clock reads makes no syscall and runs at full speed under strace.

import { join } from 'node:path';
import { alternate, type Bench, median, ms, runCommand } from '../kit/bench.ts';
import { runName } from '../kit/names.ts';
import { openSandbox } from '../kit/sandbox.ts';
import { PYTHON, pythonLoop } from './strace.ts';

const ROUNDS = 3;
const CALLS = 100_000;

export const bench: Bench = {
  title: `debugging: strace's cost per syscall (${CALLS.toLocaleString('en')}-call Python loops, median of ${ROUNDS})`,
  run: async (report) => {
    const sandbox = openSandbox(runName('debugging'));
    try {
      const trace = join(sandbox.path('bench'), 'loop.trace');
      for (const [label, expr] of [
        ['os.getppid() (a syscall each)', 'os.getppid()'],
        ['time.time() (the vDSO, no syscall)', 'time.time()'],
      ] as const) {
        const loop = pythonLoop(expr, CALLS);
        const [bare = [], traced = [], counted = []] = await alternate(ROUNDS, [
          () => runCommand(PYTHON, loop),
          () => runCommand('strace', ['-f', '-qq', '-o', trace, PYTHON, ...loop]),
          () => runCommand('strace', ['-f', '-qq', '-c', '-o', trace, PYTHON, ...loop]),
        ]);
        const base = median(bare);
        const ratio = (s: number[]) => `${ms(median(s))} (${(median(s) / base).toFixed(1)}×)`;
        report(
          `${label}: untraced ${ms(base)}, strace -o ${ratio(traced)}, strace -c ${ratio(counted)}`,
        );
      }
    } finally {
      await sandbox.close();
    }
  },
};
