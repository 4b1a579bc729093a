// What the CORS labs share: the demo's own API server answering by the learner's Policy, and
// Chromium fetching from a page on the app's origin or an attacker's — the same env and probe
// (inBrowser) the browser steps use, so a lab decides with what really crossed the wire.

import { pathToFileURL } from 'node:url';
import type { StepContext } from '../kit/define.ts';
import type { FetchInit } from './browser.ts';
import { originFor } from './cases.ts';
import { closeEnv, openEnv } from './env.ts';
import { type BrowserRun, inBrowser } from './probe.ts';
import type { Policy } from './servers.ts';

/** The pages a lab fetches from: the app (a.example.test) and a same-site attacker. */
type LabPage = 'a' | 'evil';

function isPolicy(p: unknown): p is Policy {
  const o = (p as Policy | undefined)?.origin;
  return (
    ['none', '*', 'reflect'].includes(o as string) ||
    o instanceof RegExp ||
    (Array.isArray(o) && o.every((x) => typeof x === 'string'))
  );
}

/**
 * Starts the API and Chromium, loads `policy(app)` from the learner's policy.ts; returns how to
 * fetch the API (api.example.test, alice logged in) from one of the pages, under that policy.
 */
export async function labBrowser(
  t: StepContext,
  dir: string,
): Promise<(id: string, from: LabPage, init: FetchInit) => Promise<BrowserRun>> {
  const mod = (await import(pathToFileURL(`${dir}/policy.ts`).href)) as {
    policy?: (app: string) => unknown;
  };
  if (typeof mod.policy !== 'function')
    throw new Error('policy.ts must export the function policy(app)');
  const env = await openEnv({ available: new Set(['chromium']), uses: () => undefined });
  t.defer(() => closeEnv(env));
  const policy = mod.policy(originFor('a', env.ports));
  if (!isPolicy(policy))
    throw new Error(
      "policy(app) must return a Policy: origin is 'none', '*', 'reflect', a list of origins or a RegExp",
    );
  return (id, from, init) =>
    inBrowser(env, {
      id,
      step: 'lab',
      what: id,
      from,
      api: 'named',
      init,
      policy: () => policy,
      expect: 'readable',
    });
}
