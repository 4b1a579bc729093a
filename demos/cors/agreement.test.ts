// The check subcommand's verdict must agree with Chromium on every case of the demo: each case
// runs in the browser (did the page read the response?) and through the checker (same server,
// same policy, a URL of its own), and the two outcomes are compared.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileNeeds } from '../kit/vitest.ts';
import { CASES } from './cases.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { chromiumReads } from './fetch-rules.ts';
import { inBrowser, inChecker } from './probe.ts';

describe('cors: the checker agrees with Chromium on every case', () => {
  let env: Env | undefined;
  const chromium = fileNeeds(['chromium']);

  beforeAll(async () => {
    if (!chromium.ready()) return;
    env = await openEnv({ available: new Set(['chromium']), uses: () => undefined });
  });

  afterAll(async () => {
    if (env) await closeEnv(env);
  });

  for (const k of CASES) {
    it(k.id, async () => {
      if (!env) throw new Error('the cors environment did not open');
      const browser = await inBrowser(env, k);
      const checker = await inChecker(env, k);
      const verdict = checker.verdict.ok ? 'allowed' : `blocked: ${checker.verdict.reason}`;
      const seen = `${browser.outcome.error ?? 'readable'} ${browser.outcome.console ?? ''}`;
      expect(chromiumReads(checker.verdict), `checker: ${verdict}; Chromium: ${seen}`).toBe(
        browser.outcome.readable,
      );
      // A request the checker calls preflighted must have been preflighted by Chromium too.
      expect(browser.preflights.length > 0, 'preflight sent').toBe(
        checker.classification.preflight,
      );
      // The headers a page can read: the checker's list is Chromium's list.
      if (browser.outcome.readable && browser.outcome.headerNames)
        expect([...browser.outcome.headerNames].sort()).toEqual(checker.exposed);
    });
  }
});
