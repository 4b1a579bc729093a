// Runs one case for real: in Chromium (what the page saw, what the API received) and through
// the checker (what the Fetch rules say about the same server's answers). Each run gets a URL of
// its own, so Chromium's preflight and HTTP caches never carry state from one run to the next.

import { STATUS_CODES } from 'node:http';
import type { SequenceFigure } from '../kit/figures.ts';
import { exchangeFigure, type WireTurn } from '../kit/http-wire.ts';
import type { PageOutcome } from './browser.ts';
import { apiOrigin, type CorsCase, originFor } from './cases.ts';
import { type CheckResult, checkCors, headerCase } from './checker.ts';
import type { Env } from './env.ts';
import type { Logged } from './servers.ts';

/** Chromium, which the browser steps need (they do not run without it). */
export function browserOf(env: Env) {
  if (!env.browser) throw new Error('Chromium is not running');
  return env.browser;
}

/** A fresh URL under the case's path. */
export function freshUrl(env: Env, k: CorsCase): string {
  env.seq += 1;
  return `${apiOrigin(k.api, env.ports)}/c/${k.id}/${env.suffix}-${env.seq}`;
}

/** Hides what changes between runs (ports, the run suffix) in lines a reader compares. */
export function redact(env: Env, text: string): string {
  return text
    .replaceAll(`:${env.ports.page}`, ':<page>')
    .replaceAll(`:${env.ports.api}`, ':<api>')
    .replaceAll(`:${env.securePage.port}`, ':<page-tls>')
    .replace(new RegExp(`${env.suffix}-\\d+`, 'g'), 'n');
}

export interface BrowserRun {
  url: string;
  outcome: PageOutcome;
  /** What the API received for this URL. */
  preflights: Logged[];
  requests: Logged[];
}

function pageOrigin(env: Env, k: CorsCase): string {
  return originFor(k.from, env.ports);
}

/** Logs the browser in to the API's host once (a session cookie, SameSite=Lax). */
async function ensureLoggedIn(env: Env, api: 'ip' | 'named'): Promise<void> {
  const origin = apiOrigin(api, env.ports);
  if (env.loggedIn.has(origin) || !env.browser) return;
  await env.browser.visit(`${origin}/login?user=alice`);
  env.loggedIn.add(origin);
}

export async function inBrowser(
  env: Env,
  k: CorsCase,
  url = freshUrl(env, k),
): Promise<BrowserRun> {
  if (!env.browser) throw new Error('Chromium is not running');
  env.api.policy(k.id, k.policy(env.ports));
  if (k.init.credentials === 'include') await ensureLoggedIn(env, k.api);
  const outcome = await env.browser.fetchFrom(pageOrigin(env, k), url, k.init, k.sandboxed);
  const path = new URL(url).pathname;
  const seen = env.api.requestsFor(path);
  return {
    url,
    outcome,
    preflights: seen.filter((l) => l.method === 'OPTIONS'),
    requests: seen.filter((l) => l.method !== 'OPTIONS'),
  };
}

export async function inChecker(env: Env, k: CorsCase): Promise<CheckResult> {
  env.api.policy(k.id, k.policy(env.ports));
  const headers: [string, string][] = [...(k.init.headers ?? [])];
  return checkCors(
    {
      url: freshUrl(env, k),
      origin: k.sandboxed ? 'null' : pageOrigin(env, k),
      method: k.init.method ?? 'GET',
      headers,
      credentials: k.init.credentials ?? 'same-origin',
    },
    env.agent,
  );
}

const REQUEST_SHOWN = [
  ['origin', 'Origin'],
  ['access-control-request-method', 'Access-Control-Request-Method'],
  ['access-control-request-headers', 'Access-Control-Request-Headers'],
  ['cookie', 'Cookie'],
] as const;
const RESPONSE_SHOWN = /^(access-control-|vary$|cache-control$)/;

/** What the API received and answered, as a sequence between the browser and the API. */
export function serverFigure(env: Env, logged: Logged[]): SequenceFigure {
  const turns = [...logged]
    .sort((x, y) => x.at - y.at)
    .flatMap((l): WireTurn[] => {
      const sent = REQUEST_SHOWN.flatMap(([n, name]): [string, string][] =>
        l.headers[n] === undefined ? [] : [[name, redact(env, l.headers[n] as string)]],
      );
      const request: WireTurn = {
        dir: '>',
        startLine: `${l.method} ${redact(env, l.path)}`,
        headers: sent,
      };
      if (!l.response) return [request];
      const answered = Object.entries(l.response.headers)
        .filter(([n]) => RESPONSE_SHOWN.test(n))
        .map(([n, v]): [string, string] => [headerCase(n), redact(env, v)]);
      const status = `${l.response.status} ${STATUS_CODES[l.response.status] ?? ''}`.trim();
      return [request, { dir: '<', startLine: status, headers: answered }];
    });
  return exchangeFigure(['browser', 'API'], turns);
}

/** Chromium's console reason, shortened to fit the transcript. */
export function consoleReason(env: Env, text: string | undefined): string {
  if (!text) return '(no console message)';
  const reason = text.replace(/^.*has been blocked by CORS policy: /, '');
  return redact(env, reason);
}
