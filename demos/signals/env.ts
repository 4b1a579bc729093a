// What the steps share: the run's name, its scratch directory under .cache/signals, and the owner
// of every process it starts. openEnv first sweeps what dead runs left (directories and any
// process still marked with their names); closeEnv kills every process of this run.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SetupInfo } from '../kit/define.ts';
import { isStale, runName } from '../kit/names.ts';
import { CHECKOUT_CACHE, demoDir } from '../kit/paths.ts';
import { killMarked, Processes } from './harness.ts';

export interface Env {
  /** `wn_signals_…`: marks this run's directory and processes. */
  run: string;
  /** This run's scratch directory: nginx's prefixes (the PostgreSQL cluster's is in postgres.ts). */
  dir: string;
  procs: Processes;
  /** What openEnv removed of dead runs, said by the first step. */
  swept: { dirs: number; processes: number };
}

const ROOT = join(CHECKOUT_CACHE, 'signals');

/** A file shipped in demos/signals (the child programs). */
export function shipped(file: string): string {
  return join(demoDir('signals'), file);
}

export async function openEnv(_info: SetupInfo): Promise<Env> {
  mkdirSync(ROOT, { recursive: true });
  const stale = readdirSync(ROOT).filter((n) => isStale(n, 'signals'));
  const processes = stale.length ? killMarked(stale) : 0;
  for (const n of stale) rmSync(join(ROOT, n), { recursive: true, force: true });
  const run = runName('signals');
  const dir = join(ROOT, run);
  mkdirSync(dir, { recursive: true });
  return { run, dir, procs: new Processes(run), swept: { dirs: stale.length, processes } };
}

export async function closeEnv(env: Env): Promise<void> {
  await env.procs.killAll();
  rmSync(env.dir, { recursive: true, force: true });
}
