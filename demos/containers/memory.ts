// What the oom step and the memory-limit lab measure the same way: which files hold the memory
// limit, the usage peak and the OOM kill counter on the cgroup version memory is mounted on here
// (versions.ts), and a run of hog.mjs in a cgroup as its parent sees it.

import { join } from 'node:path';
import { demoDir } from '../kit/paths.ts';
import type { Cgroup, Sandbox } from '../kit/sandbox.ts';
import { expectedFor } from '../kit/versions.ts';
import { cgroupVersionOf } from './env.ts';
import { memoryFiles } from './versions.ts';

export const MiB = 1 << 20;
/** The memory limit of the oom step and the lab's budget per job. */
export const LIMIT = 128 * MiB;

/** `file` or `file key` → the number it holds (a flat keyed file's entry). */
export function readValue(cgroup: Cgroup, spec: string): number {
  const [file, key] = spec.trim().split(' ') as [string, string | undefined];
  if (key) return cgroup.readKeyed(file).get(key) ?? Number.NaN;
  return Number(cgroup.read(file).trim());
}

/** The control files a VersionFact names ("a; b c; d + e"), each as `file` or `file key`. */
export function filesOf(value: string): string[] {
  return value.split(/;|\+/).map((s) => s.replace(/\(.*\)/, '').trim());
}

export const shipped = (file: string) => join(demoDir('containers'), file);

/** The memory controller's version here and its limit, peak and OOM-kill files. */
export function memoryFilesHere() {
  const version = cgroupVersionOf('memory');
  const fact = expectedFor(memoryFiles, `v${version}`);
  const [limit, peak, oom] = filesOf(fact.value) as [string, string, string];
  return { version, fact, limit, peak, oom };
}

/** How a run of hog.mjs ended, as its parent saw it. */
export interface HogRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last `allocated N MiB` (or `survived …`) line it printed. */
  last: string;
  /** It got to the end of its allocations. */
  survived: boolean;
}

/** Runs hog.mjs in `cgroup`: it allocates 8 MiB at a time up to `upToMiB` (1 GiB by default). */
export async function runHog(sb: Sandbox, cgroup: Cgroup, upToMiB?: number): Promise<HogRun> {
  const args = [shipped('hog.mjs'), ...(upToMiB ? [String(upToMiB)] : [])];
  const r = await sb.run(process.execPath, args, { cgroup });
  return {
    code: r.code,
    signal: r.signal,
    last: r.stdout.trim().split('\n').at(-1) ?? '',
    survived: /survived/.test(r.stdout),
  };
}
