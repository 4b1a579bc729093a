// Processes this command starts and later stops by pid: detached spawn with output to a log file,
// liveness checks that survive pid reuse, bounded waits, port checks, log tails.

import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A clear, one-line failure the CLI prints without a stack. */
export class ServiceError extends Error {
  override name = 'ServiceError';
}

function commandLine(pid: number): string | undefined {
  try {
    if (existsSync(`/proc/${pid}/cmdline`)) {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    }
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
  } catch {
    return undefined;
  }
}

/** True when `pid` is running and its command line contains `marker` (guards against reuse). */
export function alive(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmd = commandLine(pid);
  if (cmd === undefined) return false;
  // A zombie (exited, not yet reaped by a parent) has an empty command line.
  return cmd.includes(marker);
}

/** Processes whose command line contains `marker` (Linux: /proc), oldest first. */
export function pidsWith(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  return entries
    .map(Number)
    .filter((pid) => pid !== process.pid && commandLine(pid)?.includes(marker))
    .sort((a, b) => a - b);
}

export interface Spawned {
  pid: number;
  /** Resolves with the exit code if the process ends while this process still watches it. */
  exited: Promise<number | null>;
}

/** Starts a long-running process in its own session, output appended to `logFile`. */
export function spawnDetached(
  command: string,
  args: string[],
  logFile: string,
  cwd: string,
  env?: NodeJS.ProcessEnv,
): Spawned {
  mkdirSync(dirname(logFile), { recursive: true });
  const fd = openSync(logFile, 'a');
  try {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null)));
      child.once('error', () => resolve(127));
    });
    if (child.pid === undefined) throw new ServiceError(`could not start ${command}`);
    child.unref();
    return { pid: child.pid, exited };
  } finally {
    closeSync(fd);
  }
}

/** Polls `condition` every `intervalMs` until it holds or `timeoutMs` passes. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Sends SIGTERM, waits up to `graceMs` for the process to go, then SIGKILL. */
export async function terminate(pid: number, marker: string, graceMs: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  if (await waitFor(() => !alive(pid, marker), graceMs)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitFor(() => !alive(pid, marker), 5000);
}

/** Resolves true when host:port can be bound now (nothing holds it): bound, then released. */
export function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Resolves true when something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last `lines` lines of a log file, for an error message. */
export function tail(file: string, lines = 15): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The absolute path of `command` on PATH, or undefined. */
export function which(command: string): string | undefined {
  try {
    return (
      execFileSync('/bin/sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() ||
      undefined
    );
  } catch {
    return undefined;
  }
}
