// Runs a demo under vitest: one describe per demo, one it per step, the same steps and claims
// the transcript shows. A missing service skips locally (saying what is missing) and fails under CI.

import { afterAll, beforeAll, describe, it, type TestContext } from 'vitest';
import type { Demo } from './define.ts';
import { describeMissing, probeAll, type ServiceName } from './endpoints.ts';
import { DemoSession, failureMessage, MissingServices } from './run.ts';

/**
 * For a test file that talks to a service without testDemo: skips the test locally when one of
 * `names` is missing (saying which, where, and how to start it) and fails it under CI=true.
 */
export async function requireServices(ctx: TestContext, names: ServiceName[]): Promise<void> {
  const missing = (await probeAll(names)).filter((s) => !s.ok);
  if (!missing.length) return;
  const why = missing.map(describeMissing).join('; ');
  if (process.env.CI === 'true') throw new Error(`${why} (required under CI=true)`);
  ctx.skip(why);
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
}
