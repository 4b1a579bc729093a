// Running a command and reading what it printed. The result is taken on 'close' (every stream
// drained), never on 'exit': a process can exit before its last output has been read, and a
// claim built on that output would then flake. Nothing here knows about namespaces except the
// one prefix that runs a command inside a named network namespace.

import { type ChildProcess, spawn } from 'node:child_process';

export interface Ran {
  /** The exit status, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin, which is then closed; stdin is empty otherwise. */
  input?: string;
  /** Added to this process's environment. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** SIGKILL after this long (the result then says signal SIGKILL). Default 30 s. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** `ip netns exec <ns> command…`: the command runs in that network namespace (and a private /sys). */
export function inNetns(ns: string, command: string, args: string[] = []): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, command, ...args]];
}

/**
 * `sh -c` that mounts a fresh tmpfs on each folder, then execs the command. Only inside a mount
 * namespace of the command's own (`ip netns exec` makes one, a slave of the host's, so the host
 * never sees these mounts); they go when its last process ends, with whatever was written there.
 */
export function withTmpfs(folders: string[], command: string, args: string[]): [string, string[]] {
  for (const f of folders)
    if (!/^\/[\w./-]+$/.test(f))
      throw new Error(`sandbox: tmpfs folder ${f} is not a plain absolute path`);
  const mounts = folders.map((f) => `mount -t tmpfs wn-private ${f} || exit 125`).join('; ');
  return ['sh', ['-c', `${mounts}; exec "$@"`, 'sh', command, ...args]];
}

/** Runs a command to its end; resolves with its status and output once every stream closed. */
export function runCommand(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      cwd: options.cwd,
    });
    const out = collect(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    timer.unref();
    child.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(`could not run ${command}: ${err.code ?? err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.stdout(), stderr: out.stderr() });
    });
    child.stdin?.on('error', () => {}); // a command that exits without reading its input
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs a command that must succeed; throws with its first line of stderr otherwise. */
export async function mustRun(
  command: string,
  args: string[],
  options: RunOptions = {},
): Promise<string> {
  const r = await runCommand(command, args, options);
  if (r.code === 0) return r.stdout;
  const why = r.stderr.trim().split('\n')[0] || `exit ${r.code ?? r.signal}`;
  throw new Error(`${command} ${args.join(' ')}: ${why}`);
}

/** The text a child printed so far on each stream. */
export function collect(child: ChildProcess): { stdout(): string; stderr(): string } {
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  child.stdout?.on('data', (c: Buffer) => chunks.out.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.err.push(c));
  return {
    stdout: () => Buffer.concat(chunks.out).toString('utf8'),
    stderr: () => Buffer.concat(chunks.err).toString('utf8'),
  };
}
