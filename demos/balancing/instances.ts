// The balancer processes a run starts: each in its own directory under one per-run directory
// (named by runName, so the next run can tell a dead run's leftovers from a live run's), with a
// pid file, a log file, and a stop that waits for the process to exit. A run that died without
// its teardown (kill -9, a crash) leaves its directory; the next run's sweep stops what it finds
// there and removes it.

import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isStale, runName } from '../kit/names.ts';
import { poll } from './poll.ts';

const TOPIC = 'balancing';
/** Where every run's directory lives (one per run, named by runName). */
export const RUNS_DIR = join(tmpdir(), 'wirenotes-balancing');
const READY_MS = 5_000;
const STOP_MS = 5_000;

export interface Instance {
  name: string;
  dir: string;
  pid: number;
  /** The log the process writes (nginx's error_log, HAProxy's stderr). */
  log: string;
  /** Stops the process and waits for it to exit (SIGTERM, then SIGKILL after a bound). */
  stop(): Promise<void>;
}

/** What one run started: its directory and every process still running. */
export class RunDir {
  readonly dir: string;
  private readonly running = new Map<number, { child: ChildProcess; stop: () => Promise<void> }>();
  private counter = 0;
  /** Kills survivors if the process exits without the teardown (an uncaught error, exit()). */
  private readonly onExit = () => {
    for (const { child } of this.running.values()) child.kill('SIGKILL');
  };

  constructor() {
    this.dir = join(RUNS_DIR, runName(TOPIC));
    mkdirSync(this.dir, { recursive: true, mode: 0o755 });
    process.on('exit', this.onExit);
  }

  /** A fresh directory for one instance: `<run>/<n>-<name>/`, readable by nginx's workers. */
  instanceDir(name: string): string {
    const dir = join(this.dir, `${++this.counter}-${name}`);
    mkdirSync(dir, { mode: 0o755 });
    return dir;
  }

  /**
   * Starts `command` in `dir` and resolves once 127.0.0.1:`port` accepts connections. Rejects
   * with the log's last lines if the process exits first (a bad configuration, a taken port).
   */
  async start(
    name: string,
    dir: string,
    command: string,
    args: string[],
    port: number,
  ): Promise<Instance> {
    const log = join(dir, `${name}.log`);
    const out = openSync(join(dir, `${name}.out`), 'a');
    // Same process group as the demo: a Ctrl-C in the terminal reaches the balancers too.
    const child = spawn(command, args, { cwd: dir, stdio: ['ignore', out, out] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', reject);
    }).finally(() => closeSync(out));
    writeFileSync(join(dir, `${name}.pid`), `${pid}\n`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
        await exited;
        clearTimeout(timer);
      }
      this.running.delete(pid);
    };
    this.running.set(pid, { child, stop });
    const gone = () => child.exitCode !== null || child.signalCode !== null;
    const outcome = await poll(
      async () => (gone() ? 'exited' : (await accepts(port)) && 'ready'),
      `127.0.0.1:${port} accepting connections`,
      READY_MS,
    ).catch((err: Error) => err.message);
    const failed =
      outcome === 'ready'
        ? undefined
        : outcome === 'exited'
          ? `exited with ${child.exitCode ?? child.signalCode}`
          : outcome;
    if (failed) {
      await stop();
      const said = [tail(log), tail(join(dir, `${name}.out`))].filter(Boolean).join(' | ');
      throw new Error(`${name} in ${dir} ${failed}: ${said}`);
    }
    return { name, dir, pid, log, stop };
  }

  /** Stops every process this run still has and removes its directory. */
  async close(): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.stop()));
    process.off('exit', this.onExit);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function tail(file: string): string {
  if (!existsSync(file)) return '';
  const lines = readFileSync(file, 'utf8').trim().split('\n').filter(Boolean);
  return lines.slice(-3).join(' | ');
}

/** Whether 127.0.0.1:`port` accepts a TCP connection right now. */
function accepts(port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(undefined));
  });
}

/**
 * Stops the processes of dead runs (whose directory names a gone pid, or is older than the kit's
 * stale age) and removes their directories. A pid is signalled only if its command line still
 * names that directory, so a reused pid is never hit. Returns how many directories it removed.
 */
export function sweepStaleRuns(): { dirs: number; processes: number } {
  if (!existsSync(RUNS_DIR)) return { dirs: 0, processes: 0 };
  let dirs = 0;
  let processes = 0;
  for (const name of readdirSync(RUNS_DIR)) {
    if (!isStale(name, TOPIC)) continue;
    const runDir = join(RUNS_DIR, name);
    for (const instance of readdirSync(runDir)) {
      for (const file of readdirSync(join(runDir, instance)).filter((f) => f.endsWith('.pid'))) {
        const pid = Number(readFileSync(join(runDir, instance, file), 'utf8').trim());
        if (!commandLine(pid).includes(runDir)) continue;
        try {
          process.kill(pid, 'SIGTERM');
          processes++;
        } catch {
          // It exited between the check and the signal: nothing left to stop.
        }
      }
    }
    rmSync(runDir, { recursive: true, force: true });
    dirs++;
  }
  return { dirs, processes };
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
