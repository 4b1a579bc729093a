// What the isolation labs share: the learner's transaction file (a level and its statements),
// loaded and checked for shape, and one interleaving run on MariaDB 10.11 and PostgreSQL 15 with
// the demo's own servers, runner and table sweep — the same code the steps measure with.

import { pathToFileURL } from 'node:url';
import type { StepContext } from '../kit/define.ts';
import { LEVELS, type Level } from './engines.ts';
import { closeEnv, openServers, type Server, targets } from './env.ts';
import type { Run, Scenario } from './runner.ts';

/** The learner's module: the level it begins at and whatever statements the lab asks for. */
export async function loadTransaction<T extends object>(
  file: string,
  names: (keyof T & string)[],
): Promise<T & { level: Level }> {
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  if (!LEVELS.includes(mod.level as Level))
    throw new Error(`${file} must export level, one of ${LEVELS.join(', ')}`);
  for (const n of names) if (mod[n] === undefined) throw new Error(`${file} must export ${n}`);
  return mod as T & { level: Level };
}

/** The lab's services: MariaDB first (it loses updates silently where PostgreSQL refuses). */
export const LAB_NEEDS = ['mariadb', 'postgres'] as const;

/** Runs `sc` at `level` on each lab server, in LAB_NEEDS order; the tables go at t's cleanup. */
export async function runOnLabServers(
  t: StepContext,
  sc: Scenario,
  level: Level,
): Promise<{ server: Server; run: Run }[]> {
  const wanted = LAB_NEEDS.map((s) => targets().find((x) => x.service === s)).filter(
    (x) => x !== undefined,
  );
  const env = await openServers(wanted, (part, version) => t.uses(part, version));
  t.defer(() => closeEnv(env));
  const runs = [];
  for (const server of env.servers)
    runs.push({ server, run: await env.measure(server, sc, level) });
  return runs;
}
