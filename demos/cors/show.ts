// Narration and claims shared by the browser steps: run a case in Chromium and through the
// checker, print what the API received and what the page saw, and claim what really happened.

import type { StepContext } from '../kit/define.ts';
import type { CorsCase } from './cases.ts';
import type { CheckResult } from './checker.ts';
import type { Env } from './env.ts';
import { chromiumReads } from './fetch-rules.ts';
import {
  type BrowserRun,
  consoleReason,
  inBrowser,
  inChecker,
  redact,
  serverFigure,
} from './probe.ts';

interface CaseRun {
  browser: BrowserRun;
  checker: CheckResult;
}

/** What the page saw, in one line. */
export function pageLine(run: BrowserRun): string {
  const o = run.outcome;
  if (o.readable) return `page read ${o.status} ${JSON.stringify(o.body ?? '').slice(0, 60)}`;
  return `page got ${o.error}`;
}

/** Runs a case both ways and narrates it; claims the outcome and the checker's agreement. */
export async function showCase(t: StepContext, env: Env, k: CorsCase): Promise<CaseRun> {
  const browser = await inBrowser(env, k);
  const checker = await inChecker(env, k);
  t.say(`[${k.id}] ${k.what}`);
  t.figure(serverFigure(env, [...browser.preflights, ...browser.requests]));
  const lines = [pageLine(browser)];
  if (!browser.outcome.readable)
    lines.push(`Chromium: ${consoleReason(env, browser.outcome.console)}`);
  lines.push(`checker: ${checker.verdict.ok ? 'allowed' : `blocked: ${checker.verdict.reason}`}`);
  t.block(lines.map((l) => redact(env, l)));
  const readable = browser.outcome.readable;
  t.equal(
    `${k.id}: the page ${k.expect === 'readable' ? 'could' : 'could not'} read the response`,
    readable,
    k.expect === 'readable',
  );
  t.equal(
    `${k.id}: the checker's verdict agrees with Chromium`,
    chromiumReads(checker.verdict),
    readable,
  );
  return { browser, checker };
}
