// The shape of a demo: a list of steps, each making claims a reader can check in the note.
// Nothing here runs anything; run.ts does.

import type { ServiceName } from './endpoints.ts';
import type { Figure } from './figures.ts';
import type { LedgerEntry } from './ledger.ts';
import { ROOT } from './paths.ts';
import type { VersionFact } from './versions.ts';

/** What a claim expects of a rejection: an error code, a message fragment or a pattern. */
export type Expectation = string | RegExp | { code?: string; message?: string | RegExp };

/** The narration and claim API a step receives. */
export interface StepContext {
  /** A line of narration. */
  say(text: string): void;
  /** A labelled value: strings print as they are, anything else as compact JSON. */
  show(label: string, value: unknown): void;
  /** Lines printed verbatim (wire exchanges, timelines), indented under the step. */
  block(lines: string[]): void;
  /** A table with a header row; columns are padded to their widest cell. */
  table(header: string[], rows: unknown[][]): void;
  /** Announce a wait ("waiting for 3 members to join"), so a long pause explains itself. */
  waiting(what: string): void;
  /** Structured data (an exchange, a timeline, an assignment): text here, a diagram in the view. */
  figure(figure: Figure): void;
  /** Records the version of a part this step touched ("nginx", "1.22.1"), for the stack line. */
  uses(part: string, version: string): void;
  /** A claim that holds when `ok` is true; `detail` is shown when it does not. */
  check(claim: string, ok: boolean, detail?: string): boolean;
  /** A claim that `actual` deep-equals `expected`. */
  equal<T>(claim: string, actual: T, expected: T): boolean;
  /** A claim that `actual` matches `pattern`. */
  match(claim: string, actual: string, pattern: RegExp): boolean;
  /** A claim that `fn` rejects (or throws) with an error matching `expected`; returns the error. */
  rejects(claim: string, fn: () => unknown, expected: Expectation): Promise<unknown>;
  /** Register cleanup that runs after the step, even when it throws. */
  defer(fn: () => unknown): void;
}

export type StepFn<Env> = (t: StepContext, env: Env) => Promise<void> | void;

/** What a step is: its short id (the name notes cite), the note section it shows, its title. */
export interface StepSpec {
  /** Short and stable (at most 24 characters): `--step <id>`, `--json`, "Shown by: step `id`". */
  id: string;
  /** The slug of a heading in notes/<demo id>.md that this step shows. */
  section: string;
  title: string;
  /** Services this step alone needs (the demo's `needs` apply to every step). */
  needs?: ServiceName[];
}

export interface Step<Env> {
  /** Unique within the demo. Used by --step and --json, and cited by the note. */
  id: string;
  /** The slug of a heading in notes/<demo id>.md that this step shows. */
  section: string;
  title: string;
  /** Services this step alone needs (the demo's `needs` apply to every step). */
  needs: ServiceName[];
  run: StepFn<Env>;
  /** The file the step is defined in, relative to the checkout. */
  source: string;
}

const MAX_STEP_ID = 24;

/** `step({ id, section, title, needs }, async (t, env) => { … })`: one step of a demo. */
export function step<Env>(spec: StepSpec, run: StepFn<Env>): Step<Env> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(spec.id) || spec.id.length > MAX_STEP_ID) {
    throw new Error(`step id "${spec.id}": use at most ${MAX_STEP_ID} of a-z, 0-9 and -`);
  }
  return {
    id: spec.id,
    section: spec.section,
    title: spec.title,
    needs: spec.needs ?? [],
    run,
    source: callerFile(),
  };
}

/** The file that called step(), relative to the checkout (for --list and the convention test). */
function callerFile(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  const here = frames[0] ?? '';
  const caller = frames.find((f) => f !== here && !f.includes('/kit/define.ts')) ?? '';
  const path = /(?:file:\/\/)?(\/[^:()]+\.ts)/.exec(caller)?.[1] ?? '';
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}

export interface Demo<Env = unknown> {
  id: string;
  title: string;
  /** One or two sentences printed under the title. */
  summary?: string;
  needs: ServiceName[];
  /** Starts what the steps share (in-process servers, clients); receives the services it needs. */
  setup?: (info: SetupInfo) => Promise<Env> | Env;
  steps: Step<Env>[];
  teardown?: (env: Env) => Promise<void> | void;
  /** What people say about the topic, each decided by a step's claim (or cited). */
  ledger: LedgerEntry[];
  /** Facts that differ by version, each measured by a step. */
  versions: VersionFact[];
}

export interface SetupInfo {
  /** The services every step will have; steps whose own needs are missing are not run. */
  available: Set<ServiceName>;
  /** Records the version of a part the demo touches (a server as it reports itself). */
  uses(part: string, version: string): void;
}

export interface DemoDefinition<Env> {
  id: string;
  title: string;
  summary?: string;
  needs?: ServiceName[];
  setup?: (info: SetupInfo) => Promise<Env> | Env;
  steps: Step<Env>[];
  teardown?: (env: Env) => Promise<void> | void;
  ledger?: LedgerEntry[];
  versions?: VersionFact[];
}

export function defineDemo<Env>(definition: DemoDefinition<Env>): Demo<Env> {
  const seen = new Set<string>();
  for (const s of definition.steps) {
    if (seen.has(s.id)) {
      throw new Error(`demo ${definition.id}: two steps have the id "${s.id}"; give one an id`);
    }
    seen.add(s.id);
  }
  return {
    ...definition,
    needs: definition.needs ?? [],
    ledger: definition.ledger ?? [],
    versions: definition.versions ?? [],
  };
}
