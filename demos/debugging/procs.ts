// The processes a run starts: each leads its own process group and carries the run's name in its
// environment, so teardown, Ctrl-C and the next run's sweep find it (and what it started) by
// that mark, never by a command name another run might share.

import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** The environment variable that marks a process (and its descendants) as one run's. */
const RUN_MARK = 'WN_DEBUGGING_RUN';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process has exited and its output streams closed. */
  exited: Promise<Exit>;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves with the match once `pattern` matches the output; rejects after `boundMs` or exit. */
  waitFor(pattern: RegExp, boundMs?: number): Promise<RegExpMatchArray>;
}

/** Resolves with the exit, or with undefined when the process still runs after `boundMs`. */
export function exitWithin(p: Proc, boundMs: number): Promise<Exit | undefined> {
  return Promise.race([p.exited, delay(boundMs, undefined, { ref: false })]);
}

export class Processes {
  private readonly started: Proc[] = [];

  constructor(readonly run: string) {}

  start(command: string, args: string[], options: SpawnOptions = {}): Proc {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      ...options,
      // Its own process group: a terminal's Ctrl-C reaches the demo only (which cleans up), and
      // kill(-pid) reaches everything the child started.
      detached: true,
      env: { ...process.env, ...options.env, [RUN_MARK]: this.run },
    });
    if (child.pid === undefined) {
      child.once('error', () => {});
      throw new Error(`could not start ${command}: not found or not executable`);
    }
    let out = '';
    let closed = false;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const w of waiters) w();
    };
    const take = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      wake();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.stdin?.on('error', () => {});
    const exited = new Promise<Exit>((resolve) => {
      // 'close' comes after 'exit' and after every stream ended: the output is complete.
      child.once('close', (code, signal) => {
        closed = true;
        wake();
        resolve({ code, signal });
      });
    });
    const proc: Proc = {
      child,
      pid: child.pid,
      exited,
      output: () => out,
      waitFor: (pattern, boundMs = 15_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => done(() => reject(new Error(`${command}: no ${pattern} within ${boundMs} ms`))),
            boundMs,
          );
          const done = (fn: () => void) => {
            clearTimeout(timer);
            waiters.delete(check);
            fn();
          };
          const check = () => {
            const m = out.match(pattern);
            if (m) done(() => resolve(m));
            else if (closed) {
              done(() => reject(new Error(`${command} exited before printing ${pattern}: ${out}`)));
            }
          };
          waiters.add(check);
          check();
        }),
    };
    this.started.push(proc);
    return proc;
  }

  /** Kills every process group this run started and every process carrying its mark. */
  async killAll(): Promise<void> {
    for (const p of this.started) {
      if (p.child.exitCode === null && p.child.signalCode === null) killGroup(p.pid);
    }
    killMarked([this.run]);
    await Promise.all(this.started.map((p) => exitWithin(p, 5000)));
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

function livePids(): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** The pids whose environment carries one of the run `names`. */
export function markedPids(names: string[]): number[] {
  const marks = names.map((n) => `${RUN_MARK}=${n}`);
  return livePids().filter((pid) => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      return env.some((e) => marks.includes(e));
    } catch {
      return false; // Gone, or not ours to read.
    }
  });
}

/** Kills (SIGKILL) every process marked with one of `names`; returns how many. */
export function killMarked(names: string[]): number {
  let killed = 0;
  for (const pid of markedPids(names)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // Exited meanwhile.
    }
  }
  return killed;
}
