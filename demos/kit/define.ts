// The shape of a demo: a list of steps, each making claims a reader can check in the note.
// Nothing here runs anything; run.ts does.

import type { ServiceName } from './services.ts';

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

export interface Step<Env> {
  /** Unique within the demo; defaults to the section slug. Used by --step and --json. */
  id: string;
  /** The slug of a heading in notes/<demo id>.md that this step shows. */
  section: string;
  title: string;
  /** Services this step alone needs (the demo's `needs` apply to every step). */
  needs: ServiceName[];
  run: StepFn<Env>;
}

export interface StepOptions {
  id?: string;
  needs?: ServiceName[];
}

export function step<Env>(
  section: string,
  title: string,
  run: StepFn<Env>,
  options: StepOptions = {},
): Step<Env> {
  return { id: options.id ?? section, section, title, needs: options.needs ?? [], run };
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
}

export interface SetupInfo {
  /** The services every step will have; steps whose own needs are missing are not run. */
  available: Set<ServiceName>;
}

export interface DemoDefinition<Env> {
  id: string;
  title: string;
  summary?: string;
  needs?: ServiceName[];
  setup?: (info: SetupInfo) => Promise<Env> | Env;
  steps: Step<Env>[];
  teardown?: (env: Env) => Promise<void> | void;
}

export function defineDemo<Env>(definition: DemoDefinition<Env>): Demo<Env> {
  const seen = new Set<string>();
  for (const s of definition.steps) {
    if (seen.has(s.id)) {
      throw new Error(`demo ${definition.id}: two steps have the id "${s.id}"; give one an id`);
    }
    seen.add(s.id);
  }
  return { ...definition, needs: definition.needs ?? [] };
}
