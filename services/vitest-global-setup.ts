// Vitest global setup: before any test file runs, make sure the services the selected demos need
// are up (the same ensure() as `npm run services -- up`). Instant when they already answer.
//
// A service that cannot be had is ONE line: the service, the address tried, why, and the command
// that starts it. Locally that is a warning, and the run goes on: every test file of a demo that
// needs it skips (each file probes the same service before its first step, kit/vitest.ts). Under
// CI=true it ends the run there, exit 1, with that line only (a thrown error here would come
// with vitest's stack and a misleading "No test files found"). A junk environment variable is
// one line and exit 2, as everywhere. The services a run found missing are also provided to the
// test files as `inject('wirenotesMissing')` (service → line), so a file can skip without
// probing again. Test files under services/ ensure what they use.

import { readdirSync } from 'node:fs';
import { UsageError } from '../demos/kit/args.ts';
import { checkEnvironment, SERVICES as RECORDS, type ServiceName } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';
import { loadDemo, topicIds } from '../demos/kit/registry.ts';
import { ensure, SERVICES, type Service, serviceAddress } from './api.ts';
import { defaultLayout } from './layout.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Services the global setup could not have: service → the one line it printed. */
    wirenotesMissing: Record<string, string>;
  }
}

interface Project {
  vitest?: { filenamePattern?: unknown };
  provide?: (key: 'wirenotesMissing', value: Record<string, string>) => void;
}

/** The file filters given on the command line (`vitest run demos/http`), if vitest exposes them. */
function filters(project: Project | undefined): string[] {
  const pattern = project?.vitest?.filenamePattern;
  return Array.isArray(pattern) ? pattern.filter((f): f is string => typeof f === 'string') : [];
}

/** Topics with a test file that the filters select (vitest matches filters as substrings). */
function selectedTopics(wanted: string[]): string[] {
  if (!wanted.length) return topicIds();
  return topicIds().filter((id) =>
    readdirSync(`${ROOT}demos/${id}`)
      .filter((f) => f.endsWith('.test.ts'))
      .some((f) => wanted.some((w) => `${ROOT}demos/${id}/${f}`.includes(w.replace(/^\.\//, '')))),
  );
}

async function neededServices(topics: string[]): Promise<Service[]> {
  const needs = new Set<ServiceName>();
  for (const id of topics) {
    try {
      const demo = await loadDemo(id);
      for (const n of demo.needs) needs.add(n);
      for (const s of demo.steps) for (const n of s.needs) needs.add(n);
    } catch (err) {
      // That demo's own test file will fail with the import error; the others still need services.
      console.warn(`[services] could not load demos/${id}: ${(err as Error).message}`);
    }
  }
  return SERVICES.filter((s) => needs.has(s));
}

/** One line: what is missing, where, why (its first line, cut short), and how to get it. */
export function missingLine(service: Service, err: unknown): string {
  const why = ((err as Error).message ?? String(err)).split('\n')[0] ?? '';
  const short = why.length > 240 ? `${why.slice(0, 237)}…` : why;
  let where = '';
  try {
    where = ` at ${serviceAddress(service, defaultLayout())}`;
  } catch {
    // An address that cannot be computed is the environment's problem, reported before this.
  }
  // A reason that already names a command needs no second one.
  const hint = why.includes('npm run services') ? '' : ` — ${RECORDS[service].hint}`;
  return `${service} is not available${where}: ${short}${hint}`;
}

async function ensureSelected(project: Project | undefined): Promise<Record<string, string>> {
  try {
    checkEnvironment();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`[services] ${err.message}\n`);
    process.exit(2);
  }
  const wanted = await neededServices(selectedTopics(filters(project)));
  const missing: Record<string, string> = {};
  for (const service of wanted) {
    try {
      await ensure([service], {
        report: (line) => process.stdout.write(`[services] ${line}\n`),
      });
    } catch (err) {
      missing[service] = missingLine(service, err);
    }
  }
  return missing;
}

// Vitest runs a global setup once per project (vitest.config.ts has two), in its one main
// process: the first call does the work and speaks, the others share its result.
const ONCE = Symbol.for('wirenotes.vitest-global-setup');
type Shared = { [ONCE]?: Promise<Record<string, string>> };

export default async function setup(project?: Project): Promise<void> {
  const shared = globalThis as Shared;
  const first = shared[ONCE] === undefined;
  shared[ONCE] ??= ensureSelected(project);
  const missing = await shared[ONCE];
  project?.provide?.('wirenotesMissing', missing);
  if (!first) return;
  const lines = Object.values(missing);
  if (!lines.length) return;
  if (process.env.CI === 'true') {
    for (const l of lines) process.stderr.write(`[services] ${l} (required under CI=true)\n`);
    process.exit(1);
  }
  // stderr at once: vitest holds console output of a global setup until the end.
  for (const l of lines) process.stderr.write(`[services] ${l}; its demos' tests skip\n`);
}
