// The child-process harness: every process a run starts leads its own process group and carries
// the run's name in its environment, so teardown (or the next run's sweep) can find and kill it
// and everything it started. State is read where the kernel keeps it: /proc/<pid>/status.

import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

/** The environment variable that marks a process (and its descendants) as one run's. */
const RUN_MARK = 'WN_SIGNALS_RUN';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited (and been reaped by us); its output may still be on the way. */
  exited: Promise<Exit>;
  /**
   * Resolves once it exited AND its stdout and stderr closed: output() is then complete. Read
   * output after this, not after `exited` (the last bytes can arrive after the exit). A process it
   * left behind holding the streams keeps this pending: bound it (`endedWithin`).
   */
  ended: Promise<Exit>;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves with the output once `pattern` matches it; rejects after `boundMs` or on exit. */
  waitFor(pattern: RegExp, boundMs?: number): Promise<RegExpMatchArray>;
  /** Writes a line to the process's stdin. */
  send(line: string): void;
  running(): boolean;
}

/** Polls `probe` until it returns a value other than undefined, for at most `boundMs`. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  boundMs = 5000,
): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${boundMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with the exit, or with undefined when the process is still running after `boundMs`. */
export function exitWithin(p: Proc, boundMs: number): Promise<Exit | undefined> {
  return within(p.exited, boundMs);
}

/** As exitWithin, but once its output is complete too (see Proc.ended). */
export function endedWithin(p: Proc, boundMs: number): Promise<Exit | undefined> {
  return within(p.ended, boundMs);
}

function within(event: Promise<Exit>, boundMs: number): Promise<Exit | undefined> {
  // An unref'd timer: a bound must not keep the demo's own process alive.
  return Promise.race([event, delay(boundMs, undefined, { ref: false })]);
}

/** The owner of every process one run starts. */
export class Processes {
  private readonly started: Proc[] = [];

  constructor(readonly runName: string) {}

  start(command: string, args: string[], options: SpawnOptions = {}): Proc {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...options,
      // Its own process group: a terminal's Ctrl-C does not reach it, and kill(-pid) reaches
      // everything it starts.
      detached: true,
      env: { ...process.env, ...options.env, [RUN_MARK]: this.runName },
    });
    if (child.pid === undefined) {
      // spawn reports ENOENT and EACCES as an 'error' event on the next tick.
      child.once('error', () => {});
      throw new Error(`could not start ${command}: not found or not executable`);
    }
    let out = '';
    const waiters = new Set<() => void>();
    const take = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (const w of waiters) w();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.stdin?.on('error', () => {});
    // 'exit' can come before the last output is read; 'close' comes after every stream ended.
    let drained = false;
    const ended = new Promise<Exit>((resolve) => {
      child.once('close', (code, signal) => {
        drained = true;
        for (const w of waiters) w();
        resolve({ code, signal });
      });
    });
    const exited = new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        for (const w of waiters) w();
        resolve({ code, signal });
      });
    });
    const proc: Proc = {
      child,
      pid: child.pid,
      exited,
      ended,
      output: () => out,
      running: () => child.exitCode === null && child.signalCode === null,
      send: (line) => {
        child.stdin?.write(`${line}\n`);
      },
      waitFor: (pattern, boundMs = 10_000) =>
        new Promise((resolve, reject) => {
          const check = () => {
            const m = out.match(pattern);
            if (m) return done(() => resolve(m));
            if (drained) {
              done(() =>
                reject(new Error(`${command} exited before printing ${pattern}: ${tail(out)}`)),
              );
            }
          };
          const timer = setTimeout(
            () => done(() => reject(new Error(`${command}: no ${pattern} within ${boundMs} ms`))),
            boundMs,
          );
          const done = (fn: () => void) => {
            clearTimeout(timer);
            waiters.delete(check);
            fn();
          };
          waiters.add(check);
          check();
        }),
    };
    this.started.push(proc);
    return proc;
  }

  /** Kills every process group this run started and every process carrying its mark. */
  async killAll(): Promise<number> {
    for (const p of this.started) if (p.running()) killGroup(p.pid, 'SIGKILL');
    const killed = killMarked([this.runName]);
    await Promise.all(this.started.map((p) => exitWithin(p, 5000)));
    return killed;
  }
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-2).join(' | ') || '(no output)';
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}

/** A field of /proc/<pid>/status ("State", "SigPnd", "ShdPnd"), or undefined once it is gone. */
export function statusField(pid: number, field: string): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** "S (sleeping)", "T (stopped)", "Z (zombie)"…, or undefined once the pid is gone. */
export function procState(pid: number): string | undefined {
  return statusField(pid, 'State');
}

/** Whether `signal` is in a pending mask of /proc/<pid>/status (thread's or process's). */
export function isPending(pid: number, signal: NodeJS.Signals): boolean {
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  return ['SigPnd', 'ShdPnd'].some((f) => (BigInt(`0x${statusField(pid, f) ?? '0'}`) & bit) !== 0n);
}

/** The signals a process has handlers for (SigCgt of /proc/<pid>/status), by name. */
export function caughtSignals(pid: number): string[] {
  const mask = BigInt(`0x${statusField(pid, 'SigCgt') ?? '0'}`);
  return Object.entries(constants.signals)
    .filter(([, n]) => (mask & (1n << BigInt(n - 1))) !== 0n)
    .map(([name]) => name);
}

interface ProcEntry {
  pid: number;
  ppid: number;
  pgrp: number;
}

function readStat(pid: number): ProcEntry | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** The pids whose parent is `pid` (the kernel here has no /proc/<pid>/task/<tid>/children). */
export function childrenOf(pid: number): number[] {
  return allPids().filter((p) => readStat(p)?.ppid === pid);
}

/** The live pids of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allPids().filter((p) => readStat(p)?.pgrp === pgid && procState(p)?.[0] !== 'Z');
}

/** Kills (SIGKILL) every process whose command line or environment names one of `names`. */
export function killMarked(names: string[]): number {
  let killed = 0;
  for (const pid of allPids()) {
    let text = '';
    for (const file of ['cmdline', 'environ']) {
      try {
        text += readFileSync(`/proc/${pid}/${file}`, 'latin1');
      } catch {
        // Gone, or not ours to read.
      }
    }
    if (names.some((n) => text.includes(n))) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch {
        // Exited meanwhile.
      }
    }
  }
  return killed;
}
