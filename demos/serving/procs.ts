// The servers a run starts (uvicorn, redis-server, Prometheus, the Node app): each leads its own
// process group and carries the run's name in its environment, so teardown, Ctrl-C (the kit runs
// teardown) and the next run's sweep find it and everything it forked (uvicorn's workers). The
// groups are also listed in the run's folder: redis-server overwrites its environment with its
// process title, so for it the mark cannot be read back.

import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** The environment variable that marks a process (and its descendants) as one run's. */
const RUN_MARK = 'WN_SERVING_RUN';

export interface Server {
  name: string;
  pid: number;
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves once `pattern` appears in the output; rejects on exit or after `boundMs`. */
  waitFor(pattern: RegExp, boundMs?: number): Promise<RegExpMatchArray>;
  /** SIGKILL to the whole group; resolves when the leader has exited. */
  stop(): Promise<void>;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ') || '(no output)';
}

export class Processes {
  private readonly started: Server[] = [];

  /** `dir`: the run's folder, where the group of each server is listed for the sweep. */
  constructor(
    readonly run: string,
    private readonly dir: string,
  ) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Server {
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own group: a terminal's Ctrl-C reaches the demo only, whose teardown stops this.
      detached: true,
      env: { ...process.env, ...env, [RUN_MARK]: this.run },
    });
    if (child.pid === undefined) {
      child.once('error', () => {});
      throw new Error(`could not start ${command}: not found or not executable`);
    }
    appendFileSync(join(this.dir, GROUPS), `${child.pid} ${startTime(child.pid)}\n`);
    let out = '';
    let ended = false;
    const waiters = new Set<() => void>();
    const wake = () => {
      for (const w of waiters) w();
    };
    const take = (chunk: Buffer) => {
      // Keep the tail only: a long-lived server's log must not grow without bound.
      out = (out + chunk.toString('utf8')).slice(-20_000);
      wake();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    const closed = new Promise<void>((resolve) =>
      child.once('close', () => {
        ended = true;
        wake();
        resolve();
      }),
    );
    const server: Server = {
      name,
      pid: child.pid,
      child,
      output: () => out,
      waitFor: (pattern, boundMs = 15_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => finish(() => reject(new Error(`${name}: no ${pattern} within ${boundMs} ms`))),
            boundMs,
          );
          const finish = (fn: () => void) => {
            clearTimeout(timer);
            waiters.delete(check);
            fn();
          };
          const check = () => {
            const m = out.match(pattern);
            if (m) finish(() => resolve(m));
            else if (ended) finish(() => reject(new Error(`${name} exited: ${tail(out)}`)));
          };
          waiters.add(check);
          check();
        }),
      stop: async () => {
        killGroup(child.pid as number);
        await Promise.race([closed, delay(5000, undefined, { ref: false })]);
      },
    };
    this.started.push(server);
    return server;
  }

  /**
   * Stops every server of this run, and any process still carrying the run's mark. The signals
   * all go out before the first await (a run killed during its teardown leaves nothing running);
   * the promise resolves once the servers have exited.
   */
  stopAll(): Promise<void> {
    const exits = this.started.map((s) => s.stop());
    killMarked([this.run]);
    return Promise.all(exits).then(() => undefined);
  }
}

const GROUPS = 'groups';

/** When a process started (field 22 of /proc/<pid>/stat), to tell it from a later reuse of its pid. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Kills the process groups a run listed in its folder whose leaders are still those processes. */
export function killListedGroups(dir: string): number {
  let text = '';
  try {
    text = readFileSync(join(dir, GROUPS), 'utf8');
  } catch {
    return 0;
  }
  let killed = 0;
  for (const line of text.split('\n').filter(Boolean)) {
    const [pid, started] = line.split(' ');
    if (started && startTime(Number(pid)) === started) {
      killGroup(Number(pid));
      killed += 1;
    }
  }
  return killed;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}

/** Every process (other than ours) carrying the serving mark, with the run it names. */
function markedProcesses(): { pid: number; run: string }[] {
  const found: { pid: number; run: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ = '';
    try {
      environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
    } catch {
      continue; // gone, or not ours to read
    }
    const mark = environ.split('\0').find((v) => v.startsWith(`${RUN_MARK}=`));
    if (mark) found.push({ pid: Number(entry), run: mark.slice(RUN_MARK.length + 1) });
  }
  return found;
}

/** The runs that still have a process (the sweep's candidates, and the leftovers check). */
export function markedRuns(): string[] {
  return [...new Set(markedProcesses().map((p) => p.run))];
}

/** SIGKILLs every process marked with one of `runs`; returns how many. */
export function killMarked(runs: string[]): number {
  let killed = 0;
  for (const { pid, run } of markedProcesses()) {
    if (!runs.includes(run)) continue;
    try {
      process.kill(pid, 'SIGKILL');
      killed += 1;
    } catch {
      // Exited meanwhile.
    }
  }
  return killed;
}
