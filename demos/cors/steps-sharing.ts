// What a shared response allows: credentials, readable headers, Vary: Origin, and origin
// policies with holes.

import { step } from '../kit/define.ts';
import { apiOrigin, CASES, casesOf, originFor } from './cases.ts';
import { checkCors } from './checker.ts';
import type { Env } from './env.ts';
import { browserOf, consoleReason, inBrowser, redact, serverFigure } from './probe.ts';
import type { Policy } from './servers.ts';
import { pageLine, showCase } from './show.ts';

export const credentialsStep = step<Env>(
  {
    id: 'credentials',
    section: 'credentials',
    title: "Credentials: the exact origin and ACAC: true, never '*'",
    needs: ['chromium'],
  },
  async (t, env) => {
    t.say(
      'The browser first logs in to the API, which sets `sid=alice` (SameSite=Lax, same site).',
    );
    for (const k of casesOf('credentials')) {
      const { browser } = await showCase(t, env, k);
      const real = browser.requests[0];
      if (real)
        t.equal(`${k.id}: the request carried the cookie`, real.headers.cookie, 'sid=alice');
      const pre = browser.preflights[0];
      if (pre) t.equal(`${k.id}: the preflight carried no cookie`, pre.headers.cookie, undefined);
      if (k.id === 'cred-headers-star')
        t.equal(
          'cred-headers-star: with credentials ACAH: * is a literal name, not a wildcard: the GET with X-Api-Key was never sent',
          [browser.preflights.length, browser.requests.length],
          [1, 0],
        );
    }
  },
);

export const exposeStep = step<Env>(
  {
    id: 'expose',
    section: 'reading-response-headers',
    title: 'Which response headers a script can read',
    needs: ['chromium'],
  },
  async (t, env) => {
    for (const k of casesOf('expose')) {
      const { browser, checker } = await showCase(t, env, k);
      const names = [...(browser.outcome.headerNames ?? [])].sort();
      t.block([`page can read: ${names.join(', ')}`]);
      t.equal(
        `${k.id}: the page read exactly the headers the rules expose`,
        names,
        checker.exposed,
      );
      const listed = k.id === 'expose-listed' || k.id === 'expose-star';
      t.equal(
        `${k.id}: X-Request-Id ${listed ? 'is' : 'is not'} readable`,
        names.includes('x-request-id'),
        listed,
      );
      t.check(`${k.id}: Set-Cookie is never readable`, !names.includes('set-cookie'));
    }
  },
);

export const varyStep = step<Env>(
  {
    id: 'vary',
    section: 'vary-origin',
    title: 'Vary: Origin, or a cache hands one origin the answer for another',
    needs: ['chromium'],
  },
  async (t, env) => {
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
        {
          url: `${url}-checker`,
          origin: a,
          method: 'GET',
          headers: [],
          credentials: 'same-origin',
        },
        env.agent,
      );
      t.say(`[${id}] a.example.test then b.example.test fetch the same URL`);
      t.figure(serverFigure(env, seen));
      const lines = [`a: ${pageLine({ url, outcome: fromA, preflights: [], requests: [] })}`];
      lines.push(`b: ${pageLine({ url, outcome: fromB, preflights: [], requests: [] })}`);
      if (!fromB.readable) lines.push(`Chromium: ${consoleReason(env, fromB.console)}`);
      t.block(lines.map((l) => redact(env, l)));
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
  },
);

/** What each regex case proves, as the note's list of regex holes says it. */
const REGEX_CLAIMS: Record<string, string> = {
  'regex-unanchored-net': '/example\\.com/ also admits example.com.evil.net (a suffix)',
  'regex-end-only': 'anchoring only the end still admits evilexample.com (a prefix)',
  'regex-end-only-net': 'the end anchor does refuse example.com.evil.net',
  'regex-anchored': '^http://app\\.example\\.com(:\\d+)?$ refuses evilexample.com',
  'regex-anchored-net': 'the anchored regex refuses example.com.evil.net',
  'regex-anchored-app': 'the anchored regex admits app.example.com itself',
};

export const holesStep = step<Env>(
  {
    id: 'holes',
    section: 'origin-policies-with-holes',
    title: 'Origin policies with holes',
    needs: ['chromium'],
  },
  async (t, env) => {
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
        t.equal(
          `${k.id}: the sandboxed frame's origin is null`,
          browser.outcome.pageOrigin,
          'null',
        );
        t.equal(`${k.id}: the API saw Origin: null`, origin, 'null');
      }
      if (k.id === 'regex-unanchored')
        t.equal(
          `${k.id}: /example\\.com/ admitted an attacker's origin`,
          redact(env, origin ?? ''),
          'http://evilexample.com:<page>',
        );
      const regex = REGEX_CLAIMS[k.id];
      if (regex)
        t.equal(
          `${k.id}: ${regex}`,
          [redact(env, origin ?? ''), browser.outcome.readable],
          [redact(env, originFor(k.from, env.ports)), k.expect === 'readable'],
        );
    }
    // One more run of the reflecting policy from a page that is cross-site, for the note.
    const k = CASES.find((c) => c.id === 'reflect-any');
    if (k) {
      const run = await inBrowser(env, { ...k, id: 'reflect-any', from: 'evilcom' });
      t.block([redact(env, `[reflect-any from evilexample.com] ${pageLine(run)}`)]);
      t.check('reflect-any: a cross-site page could read the answer too', run.outcome.readable);
    }
  },
);
