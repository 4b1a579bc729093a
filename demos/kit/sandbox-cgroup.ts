// cgroups, v1 or v2, found where this machine mounts them. A controller is bound to one hierarchy
// at a time (cgroup-v2.rst "Mounting"), so each is looked up on its own: a v1 mount that names it,
// else the cgroup2 mount whose cgroup.controllers lists it. Hybrid machines (v1 memory and cpu,
// v2 with only hugetlb) and pure v2 machines both work; one cgroup's controllers must share a
// version. Demo cgroups are made at the hierarchy's root, outside whatever cgroup this shell is in.

import { existsSync, readdirSync, readFileSync, realpathSync, rmdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mtimeMs, ownerGone, tagOf } from './sandbox-names.ts';
import { waitFor } from './wait.ts';

export type CgroupVersion = 1 | 2;

export interface ControllerHome {
  version: CgroupVersion;
  /** The folder of the hierarchy's root (v1: that controller's mount; v2: the cgroup2 mount). */
  root: string;
}

interface Mount {
  point: string;
  fstype: string;
  superOptions: string[];
}

function cgroupMounts(): Mount[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .flatMap((line) => {
      const [left, right] = line.split(' - ');
      if (!left || !right) return [];
      const [fstype = '', , options = ''] = right.split(' ');
      if (fstype !== 'cgroup' && fstype !== 'cgroup2') return [];
      const point = (left.split(' ')[4] ?? '').replace(/\\040/g, ' ');
      return [{ point, fstype, superOptions: options.split(',') }];
    });
}

/** Where `controller` (memory, cpu, pids, blkio, io…) can be used here, or undefined. */
export function controllerHome(controller: string): ControllerHome | undefined {
  const mounts = cgroupMounts();
  const v1 = mounts.find((m) => m.fstype === 'cgroup' && m.superOptions.includes(controller));
  if (v1) return { version: 1, root: v1.point };
  for (const m of mounts.filter((m) => m.fstype === 'cgroup2')) {
    const listed = readIfThere(join(m.point, 'cgroup.controllers'))?.trim().split(/\s+/) ?? [];
    if (listed.includes(controller)) return { version: 2, root: m.point };
  }
  return undefined;
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A cgroup made by a sandbox. File names are the version's own (memory.max or memory.limit_in_bytes). */
export class Cgroup {
  private constructor(
    readonly name: string,
    readonly version: CgroupVersion,
    /** controller → its folder for this cgroup (v2: the same folder for all). */
    private readonly dirs: Map<string, string>,
  ) {}

  static async create(name: string, controllers: string[]): Promise<Cgroup> {
    if (controllers.length === 0) throw new Error('cgroup: name at least one controller');
    const homes = controllers.map((c) => {
      const home = controllerHome(c);
      if (!home) throw new Error(`cgroup: the ${c} controller is not mounted on this machine`);
      return home;
    });
    const version = homes[0]?.version as CgroupVersion;
    if (homes.some((h) => h.version !== version))
      throw new Error(`cgroup: ${controllers.join(', ')} are split between cgroup v1 and v2 here`);
    if (version === 2) {
      const root = homes[0]?.root as string;
      const enabled = readFileSync(join(root, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      const off = controllers.filter((c) => !enabled.includes(c));
      if (off.length)
        throw new Error(`cgroup: ${off.join(', ')} not enabled in ${root}/cgroup.subtree_control`);
    }
    const dirs = new Map<string, string>();
    controllers.forEach((c, i) => {
      dirs.set(c, join(homes[i]?.root as string, name));
    });
    const cgroup = new Cgroup(name, version, dirs);
    // cpu and cpuacct are often one mount: mkdir each folder once.
    for (const dir of cgroup.folders()) await mkdir(dir);
    return cgroup;
  }

  /** The distinct folders of this cgroup (v1: one per hierarchy). */
  folders(): string[] {
    const seen = new Map<string, string>();
    for (const dir of this.dirs.values()) {
      const parent = realpathIfThere(join(dir, '..'));
      seen.set(join(parent, this.name), dir);
    }
    return [...seen.values()];
  }

  /** The path of a control file; under v1 its prefix picks the controller (memory.failcnt). */
  file(name: string): string {
    const controller = name.split('.')[0] as string;
    const dir = this.dirs.get(controller) ?? (this.folders()[0] as string);
    return join(dir, name);
  }

  read(name: string): string {
    return readFileSync(this.file(name), 'utf8');
  }

  /** A `key value` file (memory.events, cpu.stat, pids.events) as a map of numbers. */
  readKeyed(name: string): Map<string, number> {
    return keyed(this.read(name));
  }

  async write(name: string, value: string | number): Promise<void> {
    await writeFile(this.file(name), String(value));
  }

  /** Each cgroup.procs file: a process written to all of them is in the cgroup for every controller. */
  procsFiles(): string[] {
    return this.folders().map((d) => join(d, 'cgroup.procs'));
  }

  async add(pid: number): Promise<void> {
    for (const f of this.procsFiles()) await writeFile(f, String(pid));
  }

  /** The processes in the cgroup (in any of its folders). */
  pids(): number[] {
    const all = new Set<number>();
    for (const f of this.procsFiles()) for (const p of pidsIn(f)) all.add(p);
    return [...all];
  }

  /** A hard memory limit; swap is held at zero too where the kernel accounts it. */
  async limitMemory(bytes: number): Promise<void> {
    if (this.version === 2) {
      await this.write('memory.max', bytes);
      if (existsSync(this.file('memory.swap.max'))) await this.write('memory.swap.max', 0);
      return;
    }
    await this.write('memory.limit_in_bytes', bytes);
    if (existsSync(this.file('memory.memsw.limit_in_bytes')))
      await this.write('memory.memsw.limit_in_bytes', bytes);
  }

  /** A CFS bandwidth limit: `cores` CPUs' worth of time per period (0.5 = half a core). */
  async limitCpu(cores: number, periodUs = 100_000): Promise<void> {
    const quota = Math.round(cores * periodUs);
    if (this.version === 2) return this.write('cpu.max', `${quota} ${periodUs}`);
    await this.write('cpu.cfs_period_us', periodUs);
    await this.write('cpu.cfs_quota_us', quota);
  }

  async limitPids(max: number): Promise<void> {
    await this.write('pids.max', max);
  }

  /** Kills every process in it, waits until it is empty, and removes its folders. */
  async remove(): Promise<void> {
    await emptyAndRemove(this.folders());
  }
}

function realpathIfThere(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

export function keyed(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) map.set(key, Number(value));
  }
  return map;
}

function pidsIn(procsFile: string): number[] {
  const text = readIfThere(procsFile) ?? '';
  return text.split('\n').filter(Boolean).map(Number);
}

async function emptyAndRemove(folders: string[]): Promise<void> {
  const there = folders.filter((d) => existsSync(d));
  if (there.length === 0) return;
  for (const dir of there) {
    // v2 (5.14+) kills the whole cgroup in one write; otherwise each member by pid.
    const kill = join(dir, 'cgroup.kill');
    if (existsSync(kill)) await writeFile(kill, '1').catch(() => {});
  }
  await waitFor(
    `the processes of ${there.join(', ')} to die`,
    () => {
      const left = there.flatMap((d) => pidsIn(join(d, 'cgroup.procs')));
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      return left.length === 0 ? true : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  // rmdir can say EBUSY for a moment after the last member is gone (it is still being freed).
  await waitFor(
    `rmdir ${there.join(', ')}`,
    () => {
      for (const dir of there) {
        try {
          rmdirSync(dir);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      return true;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
}

/** The roots of every cgroup hierarchy mounted here (each v1 mount and the cgroup2 mount). */
function hierarchyRoots(): string[] {
  return [...new Set(cgroupMounts().map((m) => realpathIfThere(m.point)))];
}

/** Removes the cgroups of dead sandboxes; returns their paths. */
export async function sweepCgroups(): Promise<string[]> {
  const removed: string[] = [];
  for (const root of hierarchyRoots()) {
    let entries: string[];
    try {
      entries = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of entries.filter((n) => tagOf(n))) {
      const dir = join(root, name);
      if (!ownerGone(name, mtimeMs(dir))) continue;
      await emptyAndRemove([dir]);
      removed.push(dir);
    }
  }
  return removed;
}
