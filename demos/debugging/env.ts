// What the steps share: the run's sandbox (kit/sandbox.ts), which owns every process, loop
// device, mount and cgroup the steps make and removes them at teardown, on Ctrl-C, or, after a
// killed run, at the next run's start (openEnv sweeps first and says what it removed).

import { join } from 'node:path';
import type { SetupInfo, StepContext } from '../kit/define.ts';
import { runName } from '../kit/names.ts';
import { demoDir } from '../kit/paths.ts';
import { openSandbox, type Sandbox, sweepSandboxes } from '../kit/sandbox.ts';

export interface Env {
  sandbox: Sandbox;
  /** This run's scratch folder (inside the sandbox's): captures, traces, the files steps open. */
  dir: string;
  /** What openEnv removed of dead runs, said by the first step. */
  swept: string[];
}

/** A file shipped in demos/debugging (the target program). */
export function shipped(file: string): string {
  return join(demoDir('debugging'), file);
}

export async function openEnv(_info: SetupInfo): Promise<Env> {
  const swept = await sweepSandboxes();
  const sandbox = openSandbox(runName('debugging'));
  return { sandbox, dir: sandbox.path('scratch'), swept };
}

/** The env of one lab check: opened as a run's, closed when the check ends (t.defer). */
export async function labEnv(t: StepContext): Promise<Env> {
  const env = await openEnv({ available: new Set(), uses: (part, v) => t.uses(part, v) });
  t.defer(() => closeEnv(env));
  return env;
}

export async function closeEnv(env: Env): Promise<void> {
  await env.sandbox.close();
}

/** Starts target.mjs with `args` and waits for its ready line; returns the process and the match. */
export async function startTarget(env: Env, args: string[], ready: RegExp, cwd?: string) {
  // --single-threaded: V8 runs no background tasks (concurrent compilation, GC helpers), so the
  // target's runnable threads are its own. A hot loop otherwise got a V8Worker compiling it
  // beside the spinning threads: 3 in state R for 2 spinners, under load.
  const p = env.sandbox.start(
    process.execPath,
    ['--single-threaded', shipped('target.mjs'), ...args],
    { cwd },
  );
  const m = await p.waitFor(ready);
  return { p, m };
}
