// What the steps share: the run's own redis-server, the FastAPI app under Debian's uvicorn, the
// Node app, and a Prometheus scraping both (started first thing, because Prometheus 2.42 waits
// about 5 s before its first scrape). openEnv first sweeps what dead runs left: their processes
// (found by the mark in their environment) and their folders under .cache/serving.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SetupInfo } from '../kit/define.ts';
import { isStale, runName } from '../kit/names.ts';
import { CHECKOUT_CACHE } from '../kit/paths.ts';
import { getJson } from './client.ts';
import { killListedGroups, killMarked, markedRuns, Processes } from './procs.ts';
import { type Prometheus, startPrometheus } from './prometheus.ts';
import { type Started, startFastApi, startNode, startRedis } from './servers.ts';

export interface Env {
  /** `wn_serving_…`: marks this run's folder and processes. */
  run: string;
  dir: string;
  procs: Processes;
  redis: Started;
  /** The FastAPI app (one uvicorn worker). */
  api: Started;
  /** The Node app. */
  node: Started;
  /** Absent when Prometheus is not installed (the metrics step then does not run). */
  prom?: Prometheus;
  /** Python package versions as the app reports them. */
  versions: Record<string, string>;
  /** What openEnv removed of dead runs. */
  swept: { dirs: number; processes: number };
}

const ROOT = join(CHECKOUT_CACHE, 'serving');

/** Kills the processes and removes the folders of serving runs that are over. */
function sweep(): Env['swept'] {
  mkdirSync(ROOT, { recursive: true });
  const dirs = readdirSync(ROOT).filter((n) => isStale(n, 'serving'));
  let processes = 0;
  for (const n of dirs) processes += killListedGroups(join(ROOT, n));
  processes += killMarked(markedRuns().filter((r) => isStale(r, 'serving')));
  for (const n of dirs) rmSync(join(ROOT, n), { recursive: true, force: true, maxRetries: 3 });
  return { dirs: dirs.length, processes };
}

type Run = Pick<Env, 'run' | 'dir' | 'procs' | 'swept'>;

/** A run of this process (a demo's, or one lab check's): its folder and servers, dead runs swept. */
export function openRun(): Run {
  const swept = sweep();
  const run = runName('serving');
  const dir = join(ROOT, run);
  mkdirSync(dir, { recursive: true });
  return { run, dir, procs: new Processes(run, dir), swept };
}

/**
 * Stops the run's servers, then removes its folder. stopAll signals every server before its first
 * await (a run killed during its teardown leaves nothing running); the folder goes once they have
 * exited (Prometheus writes into it until then).
 */
export async function closeRun(run: Pick<Run, 'dir' | 'procs'>): Promise<void> {
  await run.procs.stopAll();
  rmSync(run.dir, { recursive: true, force: true, maxRetries: 3 });
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const { run, dir, procs, swept } = openRun();
  try {
    const [redis, node] = await Promise.all([
      startRedis(procs, dir),
      startNode(procs, 'node-app.mjs'),
    ]);
    const api = await startFastApi(procs, redis.url);
    const prom = info.available.has('prometheus')
      ? await startPrometheus(procs, dir, { fastapi: api.port, node: node.port })
      : undefined;
    const versions = await getJson<Record<string, string>>(`${api.url}/versions`);
    const redisVersion = /version=([\d.]+)/.exec(redis.server.output())?.[1] ?? 'unknown';
    info.uses('python', versions.python ?? 'unknown');
    for (const part of ['fastapi', 'uvicorn', 'anyio', 'circuitbreaker']) {
      info.uses(part, versions[part] ?? 'unknown');
    }
    info.uses('redis', redisVersion);
    if (prom) info.uses('prometheus', prom.version);
    return { run, dir, procs, redis, api, node, prom, versions, swept };
  } catch (err) {
    await closeRun({ dir, procs });
    throw err;
  }
}

export function closeEnv(env: Env): Promise<void> {
  return closeRun(env);
}
