// Benchmark helpers: things measured side by side in one run and reported as ratios.
// Tests never assert times; `npm run bench` prints them.

import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ROOT } from './paths.ts';

export interface Bench {
  /** Shown as the heading of this bench's lines. */
  title: string;
  run: (report: (line: string) => void) => Promise<void>;
}

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs each function `rounds` times, alternating between them so drift hits all alike. */
export async function alternate(
  rounds: number,
  fns: (() => Promise<unknown>)[],
): Promise<number[][]> {
  const samples: number[][] = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [i, fn] of fns.entries()) samples[i]?.push(await timeIt(fn));
  }
  return samples;
}

/** Runs a command from the repository root, resolving when it exits 0. */
export function runCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, ...env },
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}`)),
    );
  });
}

export function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(0)} ms`;
}
