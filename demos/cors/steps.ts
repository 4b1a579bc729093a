// The browser steps 2–7: each runs its cases in Chromium (and through the checker) and claims
// what the API server really received and what the page could really read.

import type { StepContext } from '../kit/define.ts';
import { apiOrigin, CASES, casesOf, originFor } from './cases.ts';
import { checkCors } from './checker.ts';
import { normalizeMethod } from './fetch-rules.ts';
import { consoleReason, type Env, freshUrl, inBrowser, redact, serverLines } from './probe.ts';
import type { Policy } from './servers.ts';
import { pageLine, showCase, wrapLine } from './show.ts';

function browserOf(env: Env) {
  if (!env.browser) throw new Error('Chromium is not running');
  return env.browser;
}

export async function simpleStep(t: StepContext, env: Env): Promise<void> {
  t.say('The API answers every preflight with 405 here, so a preflight would make the fetch fail.');
  for (const k of casesOf('simple')) {
    const { browser, checker } = await showCase(t, env, k);
    const method = k.init.method ?? 'GET';
    t.equal(
      `${k.id}: no OPTIONS arrived, only the ${method}`,
      [...browser.preflights, ...browser.requests].map((l) => l.method),
      [method],
    );
    t.equal(`${k.id}: the rules call it simple too`, checker.classification.preflight, false);
  }
}

export async function preflightStep(t: StepContext, env: Env): Promise<void> {
  for (const k of casesOf('preflight')) {
    const { browser, checker } = await showCase(t, env, k);
    const asked = (h: Record<string, string> | [string, string][] | undefined) => {
      const m = new Map(
        Array.isArray(h) ? h.map(([n, v]) => [n.toLowerCase(), v]) : Object.entries(h ?? {}),
      );
      return [m.get('access-control-request-method'), m.get('access-control-request-headers')];
    };
    t.equal(
      `${k.id}: Chromium's OPTIONS asked for what the rules predict`,
      asked(browser.preflights[0]?.headers),
      asked(checker.exchanges[0]?.sent),
    );
    const method = normalizeMethod(k.init.method ?? 'GET');
    t.equal(
      `${k.id}: the ${method} itself was ${k.expect === 'readable' ? 'sent after it' : 'never sent'}`,
      browser.requests.length,
      k.expect === 'readable' ? 1 : 0,
    );
    if (k.standard && k.standard !== k.expect) {
      t.say(
        `Chromium lets ${k.id} through; the Fetch standard blocks it: ` +
          'list Authorization explicitly.',
      );
    }
  }
}

export async function maxAgeStep(t: StepContext, env: Env): Promise<void> {
  const browser = browserOf(env);
  const twice = async (id: string) => {
    const k = CASES.find((c) => c.id === id);
    if (!k) throw new Error(`case ${id} is missing`);
    env.api.policy(k.id, k.policy(env.ports));
    const url = freshUrl(env, k);
    const origin = originFor(k.from, env.ports);
    const first = await browser.fetchFrom(origin, url, k.init);
    const second = await browser.fetchFrom(origin, url, k.init);
    const seen = env.api.requestsFor(new URL(url).pathname);
    t.block([
      `[${k.id}] ${k.what}: two PUTs, one right after the other`,
      ...serverLines(env, seen),
    ]);
    t.check(`${k.id}: both PUTs were readable`, first.readable && second.readable);
    return { k, url, origin, seen };
  };
  const cached = await twice('max-age-600');
  t.equal('Max-Age: 600: one OPTIONS served both PUTs', methods(cached.seen), [
    'OPTIONS',
    'PUT',
    'PUT',
  ]);
  const zero = await twice('max-age-0');
  t.equal('Max-Age: 0: each PUT was preflighted', methods(zero.seen), [
    'OPTIONS',
    'PUT',
    'OPTIONS',
    'PUT',
  ]);
  const absent = await twice('max-age-absent');
  t.equal('no Max-Age: the second PUT reused the preflight', methods(absent.seen), [
    'OPTIONS',
    'PUT',
    'PUT',
  ]);

  // How long does "absent" last? Keep sending until Chromium preflights again (bounded).
  t.waiting('for Chromium to send a new preflight for the same URL (polling every 250 ms, ≤ 10 s)');
  const path = new URL(absent.url).pathname;
  const log = () => env.api.requestsFor(path);
  const start = log()[0]?.at ?? 0;
  let lastCached = log().at(-1)?.at ?? start;
  while (log().filter((l) => l.method === 'OPTIONS').length < 2) {
    if (performance.now() - start > 10_000) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
    const before = log().length;
    await browser.fetchFrom(absent.origin, absent.url, absent.k.init);
    const added = log().slice(before);
    if (added.every((l) => l.method !== 'OPTIONS')) lastCached = added.at(-1)?.at ?? lastCached;
  }
  const again = log().filter((l) => l.method === 'OPTIONS')[1];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  if (again) {
    t.say(
      `last PUT served from the cache: ${s(lastCached - start)} after the preflight; ` +
        `new preflight: ${s(again.at - start)} after it.`,
    );
  }
  t.check('a PUT 3 s after the preflight still needed no new one', lastCached - start > 3000);
  t.check(
    'the cached preflight expired between 5 and 8 s (the default: 5 s)',
    again !== undefined && again.at - start >= 4990 && again.at - start < 8000,
    again ? `new preflight after ${s(again.at - start)}` : 'no new preflight within 10 s',
  );
  t.say(
    "Chromium's 7200 s cap on Max-Age is cited, not waited for: kMaxTimeout = base::Hours(2) " +
      'in services/network/cors/preflight_result.cc.',
  );
}

function methods(seen: { method: string }[]): string[] {
  return seen.map((l) => l.method);
}

export async function credentialsStep(t: StepContext, env: Env): Promise<void> {
  t.say('The browser first logs in to the API, which sets `sid=alice` (SameSite=Lax, same site).');
  for (const k of casesOf('credentials')) {
    const { browser } = await showCase(t, env, k);
    const real = browser.requests[0];
    if (real) t.equal(`${k.id}: the request carried the cookie`, real.headers.cookie, 'sid=alice');
    const pre = browser.preflights[0];
    if (pre) t.equal(`${k.id}: the preflight carried no cookie`, pre.headers.cookie, undefined);
  }
}

export async function exposeStep(t: StepContext, env: Env): Promise<void> {
  for (const k of casesOf('expose')) {
    const { browser, checker } = await showCase(t, env, k);
    const names = [...(browser.outcome.headerNames ?? [])].sort();
    t.block(wrapLine(`page can read: ${names.join(', ')}`));
    t.equal(`${k.id}: the page read exactly the headers the rules expose`, names, checker.exposed);
    const listed = k.id === 'expose-listed' || k.id === 'expose-star';
    t.equal(
      `${k.id}: X-Request-Id ${listed ? 'is' : 'is not'} readable`,
      names.includes('x-request-id'),
      listed,
    );
    t.check(`${k.id}: Set-Cookie is never readable`, !names.includes('set-cookie'));
  }
}

export async function varyStep(t: StepContext, env: Env): Promise<void> {
  const browser = browserOf(env);
  const a = originFor('a', env.ports);
  const b = originFor('b', env.ports);
  t.say(
    "Two same-site pages share Chromium's HTTP cache; the API allows both and lets it cache 60 s.",
  );
  for (const vary of [false, true]) {
    const id = vary ? 'vary-sent' : 'vary-missing';
    const policy: Policy = {
      origin: [a, b],
      vary,
      responseHeaders: { 'cache-control': 'max-age=60' },
    };
    env.api.policy(id, policy);
    const url = `${apiOrigin('named', env.ports)}/c/${id}/${env.suffix}-${++env.seq}`;
    const fromA = await browser.fetchFrom(a, url);
    const fromB = await browser.fetchFrom(b, url);
    const seen = env.api.requestsFor(new URL(url).pathname);
    const check = await checkCors(
      { url: `${url}-checker`, origin: a, method: 'GET', headers: [], credentials: 'same-origin' },
      env.agent,
    );
    const lines = [
      `[${id}] a.example.test then b.example.test fetch the same URL`,
      ...serverLines(env, seen),
    ];
    lines.push(`a: ${pageLine({ url, outcome: fromA, preflights: [], requests: [] })}`);
    lines.push(`b: ${pageLine({ url, outcome: fromB, preflights: [], requests: [] })}`);
    if (!fromB.readable) lines.push(`Chromium: ${consoleReason(env, fromB.console)}`);
    t.block(lines.flatMap((l) => wrapLine(redact(env, l))));
    t.check(`${id}: page a could read its answer`, fromA.readable);
    if (vary) {
      t.equal(`${id}: b's request reached the server`, seen.length, 2);
      t.check(`${id}: b got its own answer and could read it`, fromB.readable);
      t.equal(`${id}: the checker has no warning`, check.warnings, []);
    } else {
      t.equal(`${id}: b's request was served from the cache`, seen.length, 1);
      t.check(`${id}: b was blocked by a's Access-Control-Allow-Origin`, !fromB.readable);
      t.match(
        `${id}: the checker warns about the missing Vary`,
        check.warnings.join(' '),
        /Vary: Origin/,
      );
    }
  }
}

export async function holesStep(t: StepContext, env: Env): Promise<void> {
  for (const k of casesOf('holes')) {
    const { browser } = await showCase(t, env, k);
    const origin = browser.requests[0]?.headers.origin;
    if (k.id === 'reflect-any')
      t.match(
        `${k.id}: an evil subdomain read alice's data`,
        browser.outcome.body ?? '',
        /data for alice/,
      );
    if (k.id === 'null-allowed') {
      t.equal(`${k.id}: the sandboxed frame's origin is null`, browser.outcome.pageOrigin, 'null');
      t.equal(`${k.id}: the API saw Origin: null`, origin, 'null');
    }
    if (k.id === 'regex-unanchored')
      t.equal(
        `${k.id}: /example\\.com/ admitted an attacker's origin`,
        redact(env, origin ?? ''),
        'http://evilexample.com:<page>',
      );
  }
  // One more run of the reflecting policy from a page that is cross-site, for the note.
  const k = CASES.find((c) => c.id === 'reflect-any');
  if (k) {
    const run = await inBrowser(env, { ...k, id: 'reflect-any', from: 'evilcom' });
    t.block(wrapLine(redact(env, `[reflect-any from evilexample.com] ${pageLine(run)}`)));
    t.check('reflect-any: a cross-site page could read the answer too', run.outcome.readable);
  }
}
