// /proc/<pid> read as a person reads it: status fields, limits, and the threads' states.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';

/** A field of /proc/<pid>/status ("State", "Threads", "VmRSS"), or undefined once it is gone. */
export function statusField(pid: number, field: string): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** Whether `signal` is pending for the process (ShdPnd) or its main thread (SigPnd). */
export function isPending(pid: number, signal: NodeJS.Signals): boolean {
  const bit = 1n << BigInt((constants.signals[signal] ?? 1) - 1);
  return ['SigPnd', 'ShdPnd'].some((f) => (BigInt(`0x${statusField(pid, f) ?? '0'}`) & bit) !== 0n);
}

/** Whether `pid` runs the binary named `exe` and sits in a system call (not "running"). */
export function blockedIn(pid: number, exe: string): boolean {
  try {
    return (
      readlinkSync(`/proc/${pid}/exe`).endsWith(`/${exe}`) &&
      !readFileSync(`/proc/${pid}/syscall`, 'utf8').startsWith('running')
    );
  } catch {
    return false;
  }
}

/** The one-letter state of every thread of `pid` (field 3 of /proc/<pid>/task/<tid>/stat). */
export function threadStates(pid: number): string[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The command name is in parentheses and may hold spaces: the state follows the last ')'.
      return [stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)];
    } catch {
      return []; // The thread ended meanwhile.
    }
  });
}

/** The soft and hard values of one row of /proc/<pid>/limits ("Max open files"). */
export function limit(pid: number, name: string): { soft: string; hard: string } | undefined {
  const text = readFileSync(`/proc/${pid}/limits`, 'utf8');
  const row = text.split('\n').find((l) => l.startsWith(name));
  const m = row && /^.{26}(\S+)\s+(\S+)/.exec(row);
  return m ? { soft: m[1] as string, hard: m[2] as string } : undefined;
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
  running: number;
  total: number;
}

export function loadavg(): LoadAvg {
  const [l1, l5, l15, rt] = readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/);
  const [running, total] = (rt ?? '0/0').split('/').map(Number);
  return {
    load1: Number(l1),
    load5: Number(l5),
    load15: Number(l15),
    running: running ?? 0,
    total: total ?? 0,
  };
}

/** A counter line of /proc/stat ("procs_running", "procs_blocked"). */
export function procStat(name: string): number {
  const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(readFileSync('/proc/stat', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** The `some` line of /proc/pressure/<resource>, or undefined without PSI (boot without psi=1). */
export function pressure(
  resource: 'cpu' | 'io' | 'memory',
): { avg10: number; total: number } | undefined {
  try {
    const text = readFileSync(`/proc/pressure/${resource}`, 'utf8');
    const m = /^some avg10=([\d.]+) .* total=(\d+)$/m.exec(text);
    return m ? { avg10: Number(m[1]), total: Number(m[2]) } : undefined;
  } catch {
    return undefined;
  }
}
