// Runs a demo's steps and records what each one said and claimed. The CLI and the vitest
// adapter are two readers of the same records, so an assertion is written once.

import { performance } from 'node:perf_hooks';
import {
  type ClaimResult,
  claimLine,
  errorSummary,
  makeContext,
  type StepEvent,
} from './context.ts';
import type { Demo, Step } from './define.ts';
import { describeMissing, probeAll, type ServiceName, type ServiceStatus } from './endpoints.ts';
import { ledgerProblems } from './ledger.ts';

type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepResult {
  id: string;
  section: string;
  title: string;
  ms: number;
  status: StepStatus;
  claims: ClaimResult[];
  /** An exception that ended the step, or a missing service under CI. */
  error?: string;
  /** Why the step did not run (a missing service, outside CI). */
  skipped?: string;
}

/** The versions of every part a run touched: Node, its OpenSSL, and each server as it reports itself. */
export type Stack = Record<string, string>;

export function baseStack(): Stack {
  return { node: process.versions.node, 'node openssl': process.versions.openssl };
}

export interface DemoResult {
  demo: string;
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  steps: StepResult[];
  stack: Stack;
}

export interface Reporter {
  /** After setup: the stack the steps will run on (more parts may be added by steps). */
  opened?(stack: Stack): void;
  /** `index` is the step's place in the whole demo and `total` the demo's length, under --step too. */
  stepStart?(step: Step<unknown>, index: number, total: number): void;
  event?(event: StepEvent): void;
  stepEnd?(result: StepResult): void;
}

export interface SessionOptions {
  /** Step ids to run; all when empty. */
  only?: string[];
  reporter?: Reporter;
  /** Under CI a missing service fails the step instead of skipping it. */
  ci?: boolean;
}

export class MissingServices extends Error {
  constructor(readonly statuses: ServiceStatus[]) {
    super(statuses.map(describeMissing).join('\n'));
    this.name = 'MissingServices';
  }
}

/** Setup threw: usually a service that answers but refuses (a login, a database name). */
export class SetupFailed extends Error {
  constructor(cause: unknown) {
    super(`setup failed: ${errorSummary(cause)}`, { cause });
    this.name = 'SetupFailed';
  }
}

/**
 * One run of a demo: open() checks services and runs setup, runStep() runs one step,
 * close() tears down. The CLI loops over the steps; the vitest adapter gives each its own `it`.
 */
export class DemoSession<Env> {
  private env: Env | undefined;
  private available = new Set<ServiceName>();
  private missing = new Map<ServiceName, ServiceStatus>();
  private opened = false;
  private opening: Promise<void> | undefined;
  private cleaning: Promise<string | undefined> | undefined;
  private closing: Promise<void> | undefined;
  /** The cleanups of the step that is running, so an interrupt can run them. */
  private pending: (() => unknown)[] = [];
  readonly stack: Stack = baseStack();

  constructor(
    readonly demo: Demo<Env>,
    private readonly options: SessionOptions = {},
  ) {}

  get steps(): Step<Env>[] {
    const only = this.options.only ?? [];
    return only.length ? this.demo.steps.filter((s) => only.includes(s.id)) : this.demo.steps;
  }

  /** Checks every service the selected steps need; throws MissingServices for the demo's own. */
  async open(): Promise<void> {
    this.opening = this.openOnce();
    await this.opening;
  }

  private async openOnce(): Promise<void> {
    const wanted = new Set<ServiceName>(this.demo.needs);
    for (const s of this.steps) for (const n of s.needs) wanted.add(n);
    for (const status of await probeAll(wanted)) {
      if (status.ok) this.available.add(status.name);
      else this.missing.set(status.name, status);
    }
    const demoMissing = this.demo.needs.flatMap((n) => this.missing.get(n) ?? []);
    if (demoMissing.length) throw new MissingServices(demoMissing);
    try {
      this.env = this.demo.setup
        ? await this.demo.setup({ available: this.available, uses: this.uses })
        : (undefined as Env);
    } catch (err) {
      throw new SetupFailed(err);
    }
    this.opened = true;
    this.options.reporter?.opened?.(this.stack);
  }

  private readonly uses = (part: string, version: string) => {
    this.stack[part] = version;
  };

  async runStep(s: Step<Env>, index: number): Promise<StepResult> {
    const { reporter } = this.options;
    reporter?.stepStart?.(s as Step<unknown>, index, this.demo.steps.length);
    const claims: ClaimResult[] = [];
    const result: StepResult = {
      id: s.id,
      section: s.section,
      title: s.title,
      ms: 0,
      status: 'passed',
      claims,
    };
    const missing = s.needs.flatMap((n) => this.missing.get(n) ?? []);
    if (missing.length) {
      const why = missing.map(describeMissing).join('; ');
      if (this.options.ci)
        Object.assign(result, { status: 'failed', error: `${why} (required under CI=true)` });
      else Object.assign(result, { status: 'skipped', skipped: why });
      reporter?.stepEnd?.(result);
      return result;
    }
    if (!this.opened) throw new Error('DemoSession.runStep before open()');
    const deferred: (() => unknown)[] = [];
    this.pending = deferred;
    const t = makeContext((e) => reporter?.event?.(e), claims, deferred, this.uses);
    const started = performance.now();
    try {
      await s.run(t, this.env as Env);
    } catch (err) {
      result.error =
        err instanceof Error && err.stack && !(err as { code?: unknown }).code
          ? trimStack(err)
          : errorSummary(err);
    } finally {
      this.cleaning = runCleanups(deferred);
      const problem = await this.cleaning;
      if (problem) result.error ??= problem;
    }
    result.ms = Math.round(performance.now() - started);
    if (!result.error && claims.length === 0) result.error = 'the step made no claim';
    // A ledger entry decided by this step must still find its claim (the wording may have moved).
    const ledger = result.error ? [] : ledgerProblems(this.demo.ledger, s.id, claims);
    if (ledger.length) result.error = ledger.join('\n');
    if (result.error || claims.some((c) => !c.ok)) result.status = 'failed';
    reporter?.stepEnd?.(result);
    return result;
  }

  /**
   * Runs the teardown once. A second caller (the steps' loop ending while an interrupt tears down)
   * waits for the same teardown: returning early would let the CLI drop its signal handlers and
   * exit with the teardown half done.
   */
  close(): Promise<void> {
    if (this.opened) {
      this.opened = false;
      this.closing = (async () => {
        await this.demo.teardown?.(this.env as Env);
      })();
    }
    return this.closing ?? Promise.resolve();
  }

  /**
   * An interrupt (Ctrl-C, SIGTERM): run the running step's cleanups (a stopped broker is started
   * again there) and the teardown, so nothing is left behind in the shared services.
   */
  async interrupt(): Promise<void> {
    // Interrupted during setup: let it finish, so what it started is torn down too.
    await this.opening?.catch(() => {});
    await runCleanups(this.pending);
    // The step may be running a cleanup already (the array is emptied as each one starts).
    await this.cleaning;
    await this.close();
  }

  /** Runs every selected step in order; always tears down. */
  async runAll(): Promise<DemoResult> {
    const steps: StepResult[] = [];
    await this.open();
    try {
      for (const s of this.steps) {
        // interrupt() has torn down (Ctrl-C): the running step ends, no further step starts.
        if (!this.opened) break;
        steps.push(await this.runStep(s, this.demo.steps.indexOf(s)));
      }
    } finally {
      await this.close();
    }
    return summarize(this.demo.id, steps, this.stack);
  }
}

/** Runs cleanups last-registered first, each once; returns the first failure. */
async function runCleanups(fns: (() => unknown)[]): Promise<string | undefined> {
  let problem: string | undefined;
  while (fns.length) {
    const fn = fns.pop() as () => unknown;
    try {
      await fn();
    } catch (err) {
      problem ??= `cleanup failed: ${errorSummary(err)}`;
    }
  }
  return problem;
}

function trimStack(err: Error): string {
  // The first few frames are enough to find the line; the rest is node internals.
  return (err.stack ?? err.message).split('\n').slice(0, 4).join('\n');
}

function summarize(demo: string, steps: StepResult[], stack: Stack): DemoResult {
  const count = (s: StepStatus) => steps.filter((r) => r.status === s).length;
  const failed = count('failed');
  return {
    demo,
    ok: failed === 0 && count('skipped') === 0,
    passed: count('passed'),
    failed,
    skipped: count('skipped'),
    steps,
    stack,
  };
}

/** The failed claims of a step, one per line, as a test failure message. */
export function failureMessage(r: StepResult): string {
  const lines = r.claims.filter((c) => !c.ok).map((c) => claimLine(c));
  if (r.error) lines.push(`error: ${r.error}`);
  return lines.join('\n');
}
