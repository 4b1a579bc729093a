// Names of kernel objects a sandbox creates (network namespaces, interfaces, cgroups, its folder).
// Interface names are at most 15 characters (IFNAMSIZ 16 with the NUL), so a run's long runName
// cannot be used as is: the sandbox's tag keeps its owner pid (base 36) and two characters of its
// sandbox counter within that process, `wn-<pid36>-<xx>`, and each object appends a kind letter and
// a counter. The next run
// tells a dead owner's objects from a live one's by that pid and the owner's start time.

import { readFileSync, statSync } from 'node:fs';
import { parseRunName } from './names.ts';

export const MAX_IFNAME = 15;
const TAG = /^wn-([0-9a-z]{1,5})-([0-9a-z]{2})/;

/** The short tag of a sandbox owned by the run `runName` (from kit/names.ts), or of this process. */
export function sandboxTag(runName: string): string {
  const parts = parseRunName(runName);
  if (!parts) throw new Error(`openSandbox: "${runName}" is not a runName`);
  opened += 1;
  // Two base-36 characters: unique among this process's sandboxes, so they never collide.
  const n = (opened % 36 ** 2).toString(36).padStart(2, '0');
  return `wn-${parts.pid.toString(36)}-${n}`;
}

let opened = 0;

/** The owner pid of an object named by a sandbox, or undefined for any other name. */
export function tagOf(name: string): { tag: string; pid: number } | undefined {
  const m = TAG.exec(name);
  if (!m) return undefined;
  return { tag: m[0], pid: Number.parseInt(m[1] as string, 36) };
}

/** `<tag><kind><n in base 36>`, checked against the interface name limit. */
export function objectName(tag: string, kind: string, n: number): string {
  const name = `${tag}${kind}${n.toString(36)}`;
  if (name.length > MAX_IFNAME)
    throw new Error(`sandbox: name ${name} is over ${MAX_IFNAME} chars`);
  return name;
}

/** Milliseconds since the epoch at which `pid` started, or undefined when it is gone. */
function startedAtMs(pid: number): number | undefined {
  try {
    // Field 22 of stat, counted after the command name (which may hold spaces and parentheses).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return btime * 1000 + ticks * 10;
  } catch {
    return undefined;
  }
}

/**
 * A dead run's object: its owner pid is gone, or that pid now belongs to a process started after
 * the object was (pids are reused). `createdMs` is the object's own time when it has one.
 */
export function ownerGone(name: string, createdMs?: number): boolean {
  const owner = tagOf(name);
  if (!owner) return false;
  if (owner.pid === process.pid) return false;
  const started = startedAtMs(owner.pid);
  if (started === undefined) return true;
  // A second of slack for the tick rounding of the start time.
  return createdMs !== undefined && started > createdMs + 1000;
}

/** The modification time of a file or folder, if it is there. */
export function mtimeMs(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
