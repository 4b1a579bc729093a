// What the kernel says about one process: which namespaces it shares with PID 1 (or, where PID 1
// is not readable, with the inspecting process), its PID inside its own PID namespace, and each
// cgroup it is in with that cgroup's limits and OOM counters, v1 or v2 as the line says.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../kit/args.ts';
import { controllerHome, keyed } from '../kit/sandbox.ts';

interface NamespaceRow {
  type: string;
  inode: string;
  shared: boolean;
}

interface CgroupRow {
  /** `memory`, `cpu,cpuacct`, or `(v2)` for the unified line. */
  controllers: string;
  path: string;
  /** The limits and counters found, as `name value`. */
  facts: string[];
}

export interface Inspection {
  pid: number;
  name: string;
  /** The PID in each nested PID namespace, outermost first (NSpid). */
  nsPids: number[];
  /** Whom the namespaces were compared with: `PID 1`, or this process when PID 1 is unreadable. */
  reference: string;
  namespaces: NamespaceRow[];
  cgroups: CgroupRow[];
}

function read(path: string, pid: number): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw problem(err, pid, path);
  }
}

function problem(err: unknown, pid: number, path: string): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return new UsageError(`inspect: no process ${pid}`);
  if (code === 'EACCES' || code === 'EPERM')
    return new UsageError(`inspect: not allowed to read ${path} (run as root or as its owner)`);
  return new UsageError(`inspect: cannot read ${path}: ${code ?? String(err)}`);
}

function namespaces(pid: number | 'self'): Map<string, string> {
  const dir = `/proc/${pid}/ns`;
  const map = new Map<string, string>();
  for (const type of readdirSync(dir)
    .filter((n) => !n.endsWith('_for_children'))
    .sort())
    map.set(type, readlinkSync(join(dir, type)));
  return map;
}

// v1 reports no limit as PAGE_COUNTER_MAX pages in bytes (9223372036854771712 with 4 KiB pages).
const UNLIMITED_V1 = 2 ** 62;

function human(bytes: number): string {
  if (bytes >= UNLIMITED_V1) return 'max';
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${bytes} B`;
}

/** The limit and counter files a cgroup folder has, for the controllers it serves. */
function cgroupFacts(dir: string): string[] {
  const facts: string[] = [];
  const text = (file: string) => {
    try {
      return readFileSync(join(dir, file), 'utf8').trim();
    } catch {
      return undefined; // not this version's file, or not this controller's folder
    }
  };
  const bytes = (file: string) => {
    const v = text(file);
    if (v !== undefined) facts.push(`${file} ${v === 'max' ? 'max' : human(Number(v))}`);
  };
  const counter = (file: string, key: string) => {
    const v = text(file);
    if (v !== undefined) facts.push(`${file} ${key} ${keyed(v).get(key) ?? '?'}`);
  };
  const plain = (file: string) => {
    const v = text(file);
    if (v !== undefined) facts.push(`${file} ${v}`);
  };
  bytes('memory.limit_in_bytes');
  bytes('memory.max_usage_in_bytes');
  plain('memory.failcnt');
  counter('memory.oom_control', 'oom_kill');
  bytes('memory.max');
  bytes('memory.peak');
  counter('memory.events', 'oom_kill');
  plain('cpu.cfs_quota_us');
  plain('cpu.cfs_period_us');
  plain('cpu.max');
  plain('pids.max');
  plain('pids.current');
  return facts;
}

function cgroups(pid: number): CgroupRow[] {
  return read(`/proc/${pid}/cgroup`, pid)
    .trim()
    .split('\n')
    .flatMap((line) => {
      const [, , controllers = '', path = '/'] = /^(\d+):([^:]*):(.*)$/.exec(line) ?? [];
      if (controllers.startsWith('name=')) return [];
      const first = controllers.split(',')[0] ?? '';
      // The unified (v2) line is `0::<path>`: its folder is under the cgroup2 mount.
      const home = controllers ? controllerHome(first) : v2Home();
      if (!home) return [{ controllers: controllers || '(v2)', path, facts: [] }];
      return [
        { controllers: controllers || '(v2)', path, facts: cgroupFacts(join(home.root, path)) },
      ];
    });
}

function v2Home(): { root: string } | undefined {
  const line = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .find((l) => / - cgroup2 /.test(l));
  return line ? { root: line.split(' ')[4] as string } : undefined;
}

export function inspect(pid: number): Inspection {
  const status = read(`/proc/${pid}/status`, pid);
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
  let theirs: Map<string, string>;
  try {
    theirs = namespaces(pid);
  } catch (err) {
    throw problem(err, pid, `/proc/${pid}/ns`);
  }
  let reference = 'PID 1';
  let ours: Map<string, string>;
  try {
    ours = namespaces(1);
  } catch {
    // PID 1 may refuse even root (a VM's agent that is not dumpable): compare with ourselves.
    reference = `this process (${process.pid}; PID 1's namespaces are not readable)`;
    ours = namespaces('self');
  }
  return {
    pid,
    name: field('Name'),
    nsPids: field('NSpid').split(/\s+/).filter(Boolean).map(Number),
    reference,
    namespaces: [...theirs].map(([type, inode]) => ({
      type,
      inode,
      shared: ours.get(type) === inode,
    })),
    cgroups: cgroups(pid),
  };
}
