// Processes a sandbox starts: each leads its own process group (kill(-pid) reaches what it forks,
// a terminal's Ctrl-C does not reach it before the cleanup does) and carries the sandbox's tag in
// its environment, so a process that left the group (setsid, a daemon) is still found by its
// /proc/<pid>/environ, which keeps the environment it was exec'd with.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { collect, type Ran } from './sandbox-exec.ts';
import { ownerGone } from './sandbox-names.ts';
import { waitFor } from './wait.ts';

/** The environment variable that marks a process (and what it execs) as one sandbox's. */
export const SANDBOX_MARK = 'WN_SANDBOX';

export interface SandboxProc {
  pid: number;
  /** Resolves once the process has exited and its streams have closed. */
  exited: Promise<Ran>;
  /** Resolves once the process is gone (exit seen), even if a descendant holds its streams open. */
  gone: Promise<void>;
  /** stdout and stderr so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the match once stdout+stderr match `pattern`; rejects if it exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  running(): boolean;
  /** Writes to its stdin. */
  write(text: string): void;
  /** Signals its whole process group. */
  kill(signal?: NodeJS.Signals): void;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed. Without it stdin stays open for write(). */
  input?: string;
}

export function startMarked(
  tag: string,
  command: string,
  args: string[],
  options: StartOptions = {},
): SandboxProc {
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    cwd: options.cwd,
    env: { ...process.env, ...options.env, [SANDBOX_MARK]: tag },
  });
  const out = collect(child);
  let alive = child.pid !== undefined;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => {
      alive = false;
      resolve();
    });
    child.once('error', () => {
      alive = false;
      resolve();
    });
  });
  const exited = new Promise<Ran>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`could not start ${command}: ${err.code ?? err.message}`)),
    );
    child.once('close', (code, signal) =>
      resolve({ code, signal, stdout: out.stdout(), stderr: out.stderr() }),
    );
  });
  exited.catch(() => {}); // a start failure is reported to whoever awaits it
  child.stdin?.on('error', () => {});
  if (options.input !== undefined) child.stdin?.end(options.input);
  const proc: SandboxProc = {
    pid: child.pid ?? -1,
    exited,
    gone,
    stdout: out.stdout,
    stderr: out.stderr,
    running: () => alive,
    write: (text) => child.stdin?.write(text),
    kill: (signal = 'SIGKILL') => {
      if (!alive) return;
      try {
        process.kill(-proc.pid, signal);
      } catch {
        // the group is gone
      }
    },
    waitFor: async (pattern, timeoutMs = 15_000) => {
      let ended = false;
      void gone.then(() => {
        ended = true;
      });
      return waitFor(
        `${command} to print ${pattern}`,
        () => {
          const m = pattern.exec(`${out.stdout()}${out.stderr()}`);
          if (m) return m;
          if (ended) throw new Error(`${command} exited: ${out.stderr().trim().slice(-200)}`);
          return undefined;
        },
        { timeoutMs, intervalMs: 20 },
      );
    },
  };
  return proc;
}

/** Kills the process group and waits for the process to be gone. */
export async function stopProc(p: SandboxProc): Promise<void> {
  p.kill('SIGKILL');
  await p.gone;
}

/** The pids whose exec-time environment carries a mark for which `matches` says yes. */
function markedPids(matches: (tag: string) => boolean): number[] {
  const prefix = `${SANDBOX_MARK}=`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .flatMap((d) => {
      try {
        const env = readFileSync(`/proc/${d}/environ`, 'latin1').split('\0');
        const mark = env.find((v) => v.startsWith(prefix))?.slice(prefix.length);
        return mark && matches(mark) ? [Number(d)] : [];
      } catch {
        return []; // gone, or not ours to read
      }
    });
}

/** SIGKILLs every process marked with `tag` (those that left their group); returns how many. */
export function killMarked(tag: string): number {
  return killAll(markedPids((t) => t === tag));
}

/** SIGKILLs the marked processes of dead sandboxes; returns their pids. */
export function sweepProcesses(): number[] {
  const pids = markedPids((tag) => ownerGone(tag));
  killAll(pids);
  return pids;
}

function killAll(pids: number[]): number {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  return pids.length;
}
