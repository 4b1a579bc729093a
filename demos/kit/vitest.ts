// Runs a demo under vitest: one describe per demo, one it per step, the same steps and claims
// the transcript shows, then the topic's labs. A missing service skips locally (saying what is
// missing) and fails under CI.

import { afterAll, beforeAll, beforeEach, describe, inject, it, type TestContext } from 'vitest';
import type { Demo } from './define.ts';
import { describeMissing, probeAll, type ServiceName } from './endpoints.ts';
import { testLabs } from './lab-suite.ts';
import { DemoSession, failureMessage, MissingServices } from './run.ts';

const probed = new Map<ServiceName, Promise<string | undefined>>();

/**
 * Why a need is missing, or undefined: the global setup's finding, else one probe per file. A
 * need the global setup found present is not probed again: a second `chromium --version` in the
 * middle of a loaded run once took longer than its limit and failed a file for nothing.
 */
function whyMissing(name: ServiceName): Promise<string | undefined> {
  const known = inject('wirenotesMissing')?.[name];
  if (known) return Promise.resolve(known);
  if (inject('wirenotesProbed')?.includes(name)) return Promise.resolve(undefined);
  let found = probed.get(name);
  if (!found) {
    found = probeAll([name]).then(([s]) => (s && !s.ok ? describeMissing(s) : undefined));
    probed.set(name, found);
  }
  return found;
}

/**
 * For a test file that needs a service, binary or privilege without testDemo: skips the test
 * locally when one of `names` is missing (the global setup has printed the line saying which,
 * where, and how to get it) and fails it under CI=true.
 */
export async function requireServices(ctx: TestContext, names: ServiceName[]): Promise<void> {
  const why = (await Promise.all(names.map(whyMissing))).filter(Boolean).join('; ');
  if (!why) return;
  if (process.env.CI === 'true') throw new Error(`${why} (required under CI=true)`);
  ctx.skip(why);
}

/**
 * The needs of a whole test file (call it at the top, before the file's own hooks): when one is
 * missing, every test of the file skips locally and fails under CI=true, and the returned
 * `ready()` is false so the file's own beforeAll can return before it touches what is missing.
 */
export function fileNeeds(names: ServiceName[]): { ready: () => boolean } {
  let why: string | undefined;
  beforeAll(async () => {
    why = (await Promise.all(names.map(whyMissing))).filter(Boolean).join('; ') || undefined;
  });
  beforeEach((ctx) => {
    if (!why) return;
    if (process.env.CI === 'true') throw new Error(`${why} (required under CI=true)`);
    ctx.skip(why);
  });
  return { ready: () => why === undefined };
}

export function testDemo<Env>(demo: Demo<Env>): void {
  const ci = process.env.CI === 'true';
  describe(`${demo.id}: ${demo.title}`, () => {
    const session = new DemoSession(demo, { ci });
    let openError: unknown;
    beforeAll(async () => {
      try {
        await session.open();
      } catch (err) {
        openError = err;
      }
    });
    afterAll(() => session.close());
    for (const [index, s] of demo.steps.entries()) {
      it(`${s.id}: ${s.title}`, async (ctx) => {
        if (openError instanceof MissingServices && !ci) ctx.skip(openError.message);
        if (openError instanceof MissingServices)
          throw new Error(`${openError.message} (required under CI=true)`);
        if (openError) throw openError;
        const result = await session.runStep(s, index);
        if (result.status === 'skipped') ctx.skip(result.skipped);
        if (result.status === 'failed') throw new Error(failureMessage(result));
      });
    }
  });
  testLabs(demo.id);
}
