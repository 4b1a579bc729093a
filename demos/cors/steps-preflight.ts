// Which requests are preflighted, what makes a preflight fail, and how long Chromium caches one.

import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { CASES, casesOf, originFor } from './cases.ts';
import type { Env } from './env.ts';
import { normalizeMethod } from './fetch-rules.ts';
import { browserOf, freshUrl, serverFigure } from './probe.ts';
import { showCase } from './show.ts';
import { authorizationStarFact } from './versions.ts';

export const simpleStep = step<Env>(
  {
    id: 'simple',
    section: 'simple-requests',
    title: 'Simple requests go out with no preflight',
    needs: ['chromium'],
  },
  async (t, env) => {
    t.say(
      'The API answers every preflight with 405 here, so a preflight would make the fetch fail.',
    );
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
  },
);

export const preflightStep = step<Env>(
  {
    id: 'preflight',
    section: 'preflight-requests',
    title: 'Preflights: what triggers one, and what makes it fail',
    needs: ['chromium'],
  },
  async (t, env) => {
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
      if (k.id === 'preflight-no-acao')
        t.match(
          'preflight-no-acao: Chromium refused the preflight for its missing Access-Control-Allow-Origin',
          browser.outcome.console ?? '',
          /preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin'/,
        );
      if (k.id === 'value-129' || k.id === 'values-over-1024') {
        const bytes = (k.init.headers ?? []).map(([, v]) => v.length);
        t.equal(
          `${k.id}: Accept-Language of ${bytes.length > 1 ? `${bytes.length} × ` : ''}${bytes[0]} bytes was preflighted, asking for accept-language`,
          browser.preflights.map((p) => p.headers['access-control-request-headers']),
          ['accept-language'],
        );
      }
      if (k.id === 'authorization-star') {
        const chromium = browserOf(env).version;
        const expected = expectedFor(authorizationStarFact, chromium);
        const measured =
          browser.requests.length === 1 && browser.outcome.readable
            ? 'sent, and the page read the response'
            : 'not sent';
        t.equal(
          `authorization-star: on ${expected.when} it was ${expected.value}`,
          measured,
          expected.value,
        );
      }
      if (k.standard && k.standard !== k.expect) {
        t.say(
          `Chromium lets ${k.id} through; the Fetch standard blocks it: ` +
            'list Authorization explicitly.',
        );
      }
    }
  },
);

export const maxAgeStep = step<Env>(
  {
    id: 'max-age',
    section: 'the-preflight-cache-access-control-max-age',
    title: 'Access-Control-Max-Age: the preflight cache, 5 s by default',
    needs: ['chromium'],
  },
  async (t, env) => {
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
      t.say(`[${k.id}] ${k.what}: two PUTs, one right after the other`);
      t.figure(serverFigure(env, seen));
      t.check(`${k.id}: both PUTs were readable`, first.readable && second.readable);
      return { k, url, origin, seen };
    };
    const expected: [string, string, string[]][] = [
      ['max-age-600', 'Max-Age: 600: one OPTIONS served both PUTs', ['OPTIONS', 'PUT', 'PUT']],
      ['max-age-0', 'Max-Age: 0: each PUT was preflighted', ['OPTIONS', 'PUT', 'OPTIONS', 'PUT']],
      [
        'max-age-absent',
        'no Max-Age: the second PUT reused the preflight',
        ['OPTIONS', 'PUT', 'PUT'],
      ],
    ];
    let absent: Awaited<ReturnType<typeof twice>> | undefined;
    for (const [id, claim, order] of expected) {
      const run = await twice(id);
      t.equal(claim, methods(run.seen), order);
      if (id === 'max-age-absent') absent = run;
    }
    if (!absent) throw new Error('case max-age-absent is missing');

    // How long does "absent" last? Keep sending until Chromium preflights again (bounded).
    t.waiting(
      'for Chromium to send a new preflight for the same URL (polling every 250 ms, ≤ 10 s)',
    );
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
  },
);

function methods(seen: { method: string }[]): string[] {
  return seen.map((l) => l.method);
}
