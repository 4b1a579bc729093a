// The native-launcher interface (see the top of services/api.ts) and what `up`, `down` and
// `status` do with any launcher: start under the services lock, record each process it spawns,
// wait for real readiness (failing early, with the log's tail, when a process exits), stop only
// what the records say was started.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../demos/kit/variables.ts';
import type { Layout } from './layout.ts';
import { ServiceError, type Spawned, spawnDetached, tail, terminate, waitFor } from './proc.ts';
import { forget, livePidOf, readState, remember, type Service } from './state.ts';

interface SpawnOptions {
  /** The record's name (default: the service's); one per process. */
  unit?: string;
  /** Where its stdout and stderr go (default: <dir>/<unit>.log). */
  log?: string;
  /** A substring of its command line that a reused pid will not have (default: ctx.dir). */
  marker?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

interface NativeContext {
  /** The service's own folder in the per-user state (created): data, config, logs. */
  dir: string;
  /** The per-user download cache: fetch server binaries once into it. */
  cache: string;
  report: (line: string) => void;
  /** Starts a long-running process detached and records it (pid, marker, folder, checkout). */
  spawn: (command: string, args: string[], options?: SpawnOptions) => Promise<Spawned>;
  /** The live pid recorded for a unit (default: the service's), or undefined. */
  pid: (unit?: string) => number | undefined;
}

export interface NativeLauncher {
  /** The service's name: the same key as its record in demos/kit/endpoints.ts SERVICES. */
  name: Service;
  /** One line for `npm run services -- --help`. */
  summary: string;
  /** Its services in docker-compose.yml, when it has any (the Docker path); else native only. */
  compose?: string[];
  /** host:port,… for `status`. */
  address: () => string;
  /** Undefined when ready (a real query: SELECT 1, a standby streaming), else why not. */
  notReady: () => Promise<string | undefined>;
  /**
   * Starts it natively: fetch once into ctx.cache, initialise data once in ctx.dir, then
   * ctx.spawn the server(s). Need not wait: up() then polls notReady() for readyMs, failing at
   * once (with the log's tail) if a spawned process exits. Runs under the services lock, only when
   * notReady() gave a reason. Throws ServiceError (one line) for what cannot work here.
   */
  start: (ctx: NativeContext) => Promise<void>;
  /** A clean stop of one unit; default SIGTERM, SIGKILL after 20 s. Under the lock, by down(). */
  stop?: (ctx: NativeContext, unit: string, pid: number) => Promise<void>;
  /** How long up() waits for readiness after start (default 60 s). */
  readyMs?: number;
}

function units(layout: Layout, service: Service): string[] {
  return Object.entries(readState(layout).units)
    .filter(([, r]) => r.service === service && r.via === 'native')
    .map(([u]) => u);
}

function context(l: NativeLauncher, layout: Layout, report: (line: string) => void) {
  const dir = join(layout.dir, l.name);
  mkdirSync(dir, { recursive: true });
  const spawned: { unit: string; log: string; child: Spawned }[] = [];
  const ctx: NativeContext = {
    dir,
    cache: cacheDir(),
    report,
    pid: (unit = l.name) => livePidOf(layout, unit),
    spawn: async (command, args, o = {}) => {
      const unit = o.unit ?? l.name;
      const log = o.log ?? join(dir, `${unit}.log`);
      const child = spawnDetached(command, args, log, o.cwd ?? dir, o.env);
      await remember(layout, unit, {
        service: l.name,
        via: 'native',
        pid: child.pid,
        marker: o.marker ?? dir,
        dir,
        address: l.address(),
      });
      spawned.push({ unit, log, child });
      return child;
    },
  };
  return { ctx, spawned };
}

/** Starts a launcher's service natively and waits until notReady() says ready. */
export async function upNative(
  l: NativeLauncher,
  layout: Layout,
  report: (line: string) => void,
): Promise<void> {
  const { ctx, spawned } = context(l, layout, report);
  await l.start(ctx);
  const readyMs = l.readyMs ?? 60_000;
  const exits = new Map<string, number | null>();
  for (const s of spawned) void s.child.exited.then((code) => exits.set(s.unit, code));
  report(`${l.name}: waiting until ready (${l.address()})`);
  let problem: string | undefined;
  const ok = await waitFor(async () => {
    for (const s of spawned) {
      if (exits.has(s.unit)) {
        throw new ServiceError(
          `${s.unit} exited during start (code ${exits.get(s.unit)}); last lines of ${s.log}:\n${tail(s.log)}`,
        );
      }
    }
    problem = await l.notReady();
    return problem === undefined;
  }, readyMs);
  if (!ok) throw new ServiceError(`${l.name}: not ready after ${readyMs / 1000} s: ${problem}`);
}

/** Stops every unit the records say this launcher started; returns their names. */
export async function downNative(l: NativeLauncher, layout: Layout): Promise<string[]> {
  const { ctx } = context(l, layout, () => undefined);
  const stopped: string[] = [];
  for (const unit of units(layout, l.name)) {
    const pid = livePidOf(layout, unit);
    const marker = readState(layout).units[unit]?.marker ?? ctx.dir;
    if (pid !== undefined) {
      if (l.stop) await l.stop(ctx, unit, pid);
      else await terminate(pid, marker, 20_000);
      stopped.push(`${unit} (native)`);
    }
    await forget(layout, [unit]);
  }
  return stopped;
}

/** Whether this launcher's service runs from the records (any unit alive). */
export function runsNatively(l: NativeLauncher, layout: Layout): boolean {
  return units(layout, l.name).some((u) => livePidOf(layout, u) !== undefined);
}
