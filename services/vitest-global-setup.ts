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
import {
  checkEnvironment,
  describeMissing,
  hintFor,
  needRecord,
  probe,
  type ServiceName,
} from '../demos/kit/endpoints.ts';
import { loadLabs } from '../demos/kit/lab.ts';
import { ROOT } from '../demos/kit/paths.ts';
import { loadDemo, topicIds } from '../demos/kit/registry.ts';
import { closingLine } from '../demos/kit/vitest-summary.ts';
import { ensure, SERVICES, type Service, serviceAddress } from './api.ts';
import { defaultLayout } from './layout.ts';
import { withPrerequisites } from './packages.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Services the global setup could not have: service → the one line it printed. */
    wirenotesMissing: Record<string, string>;
    /** Every need the global setup looked at (missing or not): a file need not probe it again. */
    wirenotesProbed: string[];
  }
}

interface Project {
  vitest?: { filenamePattern?: unknown };
  provide?: <K extends 'wirenotesMissing' | 'wirenotesProbed'>(
    key: K,
    value: K extends 'wirenotesMissing' ? Record<string, string> : string[],
  ) => void;
}

/** The file filters given on the command line (`vitest run demos/http`), if vitest exposes them. */
function filters(project: Project | undefined): string[] {
  const pattern = project?.vitest?.filenamePattern;
  return Array.isArray(pattern) ? pattern.filter((f): f is string => typeof f === 'string') : [];
}

/** Topics with a test file that the filters select (vitest matches filters as substrings). */
function selectedTopics(wanted: string[]): string[] {
  const selects = (file: string) => wanted.some((w) => file.includes(w.replace(/^\.\//, '')));
  if (!wanted.length) return topicIds();
  return topicIds().filter((id) =>
    readdirSync(`${ROOT}demos/${id}`)
      .filter((f) => f.endsWith('.test.ts'))
      .some((f) => selects(`${ROOT}demos/${id}/${f}`)),
  );
}

/** Every need of the topics' demos and steps, each after what it comes after (its binaries). */
async function neededNeeds(topics: string[]): Promise<ServiceName[]> {
  const needs = new Set<ServiceName>();
  for (const id of topics) {
    try {
      const demo = await loadDemo(id);
      for (const n of demo.needs) needs.add(n);
      for (const s of demo.steps) for (const n of s.needs) needs.add(n);
      for (const lab of await loadLabs(id)) for (const n of lab.needs ?? []) needs.add(n);
    } catch (err) {
      // That demo's own test file will fail with the import error; the others still need services.
      console.warn(`[services] could not load demos/${id}: ${(err as Error).message}`);
    }
  }
  return withPrerequisites([...needs]);
}

const isManaged = (n: ServiceName): n is ServiceName & Service =>
  (SERVICES as string[]).includes(n);

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
  const hint = /npm run (services|setup)/.test(short)
    ? ''
    : ` — ${hintFor(service as ServiceName)}`;
  return `${service} is not available${where}: ${short}${hint}`;
}

interface Found {
  /** need → the line that says why it is missing (or which missing need it waits for). */
  missing: Record<string, string>;
  /** The lines to print: one per missing thing, not for what is missing only because of it. */
  lines: string[];
  /** Every need looked at. */
  probed: string[];
}

async function ensureSelected(project: Project | undefined): Promise<Found> {
  try {
    checkEnvironment();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`[services] ${err.message}\n`);
    process.exit(2);
  }
  const wanted = await neededNeeds(selectedTopics(filters(project)));
  const found: Found = { missing: {}, lines: [], probed: wanted };
  // Binaries, packages and privileges: probed at once (each well under 5 s).
  const probed = await Promise.all(wanted.filter((n) => !isManaged(n)).map(probe));
  for (const s of probed.filter((p) => !p.ok)) {
    found.missing[s.name] = describeMissing(s);
    found.lines.push(found.missing[s.name] as string);
  }
  // Services, in order, each after its binaries: one whose binaries are missing is not tried.
  for (const service of wanted.filter(isManaged)) {
    const blockedBy = (needRecord(service).after ?? []).find((a) => found.missing[a]);
    if (blockedBy) {
      found.missing[service] =
        `${service} cannot start without ${blockedBy}: ${found.missing[blockedBy]}`;
      continue;
    }
    try {
      await ensure([service], {
        report: (line) => process.stdout.write(`[services] ${line}\n`),
      });
    } catch (err) {
      found.missing[service] = missingLine(service, err);
      found.lines.push(found.missing[service] as string);
    }
  }
  return found;
}

// Vitest runs a global setup once per project (vitest.config.ts has two), in its one main
// process: the first call does the work and speaks, the others share its result.
const ONCE = Symbol.for('wirenotes.vitest-global-setup');
type Shared = { [ONCE]?: Promise<Found> };

export default async function setup(project?: Project): Promise<void> {
  const shared = globalThis as Shared;
  const first = shared[ONCE] === undefined;
  shared[ONCE] ??= ensureSelected(project);
  const { missing, lines, probed } = await shared[ONCE];
  project?.provide?.('wirenotesMissing', missing);
  project?.provide?.('wirenotesProbed', probed);
  if (!first || !lines.length) return;
  if (process.env.CI === 'true') {
    for (const l of lines) process.stderr.write(`[services] ${l} (required under CI=true)\n`);
    // No test ran: the closing line counts each missing need as a failure, never 0 failed.
    process.stdout.write(`\n${closingLine({ passed: 0, failed: lines.length, skipped: 0 })}\n`);
    process.exit(1);
  }
  // stderr at once: vitest holds console output of a global setup until the end.
  for (const l of lines) process.stderr.write(`[services] ${l}; the tests that need it skip\n`);
}
