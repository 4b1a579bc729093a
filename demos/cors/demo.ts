// CORS, shown twice: on the wire (what a browser sends and what the server answers, made with
// undici, which itself enforces nothing) and in headless Chromium, where a page on origin A calls
// an API on origin B that records every request it receives.

import { request } from 'undici';
import { defineDemo, step } from '../kit/define.ts';
import { apiOrigin, CASES, casesOf, originFor } from './cases.ts';
import { wireLines } from './checker.ts';
import { startCorsEnv, stopCorsEnv } from './env.ts';
import { chromiumReads, sameOrigin } from './fetch-rules.ts';
import { type Env, inChecker, redact } from './probe.ts';
import { showCase } from './show.ts';
import {
  credentialsStep,
  exposeStep,
  holesStep,
  maxAgeStep,
  preflightStep,
  simpleStep,
  varyStep,
} from './steps.ts';

const browserOnly = { needs: ['chromium' as const] };

export const demo = defineDemo<Env>({
  id: 'cors',
  title: 'CORS: preflights, proven in a real browser',
  summary:
    'What a browser sends across origins and what the server must answer, then the same cases ' +
    'in headless Chromium against a server that records every request it receives.',
  needs: [],
  setup: ({ available }) => startCorsEnv(available.has('chromium')),
  steps: [
    step(
      'the-wire-what-a-browser-sends-and-what-the-server-answers',
      'The wire: the preflight a browser would send, and the answers (undici)',
      async (t, env) => {
        // Node's own HTTP client is not a browser: no preflight, no check, everything readable.
        env.api.policy('node-put', { origin: 'none' });
        const url = `${apiOrigin('ip', env.ports)}/c/node-put/${env.suffix}-0`;
        const res = await request(url, {
          method: 'PUT',
          headers: { origin: originFor('A', env.ports), 'x-api-key': 'k1' },
        });
        const body = await res.body.text();
        const got = env.api.requestsFor(new URL(url).pathname).map((l) => l.method);
        t.say('undici (Node) sends a PUT with X-Api-Key to an API that sends no CORS headers:');
        t.equal('the server received the PUT itself, with no OPTIONS before it', got, ['PUT']);
        t.check('Node read the body although no Access-Control-Allow-Origin came', body !== '');
        for (const id of ['header-refused', 'cred-put', 'expose-listed']) {
          const c = CASES.find((x) => x.id === id);
          if (!c) throw new Error(`case ${id} is missing`);
          const r = await inChecker(env, c);
          t.say(`${c.what}: ${r.classification.reasons.join('; ') || 'a simple request'}`);
          t.block(r.exchanges.flatMap((x) => [...wireLines(x, (s) => redact(env, s)), '']));
          t.say(r.verdict.ok ? 'verdict: allowed' : `verdict: blocked: ${r.verdict.reason}`);
        }
        const rows: string[][] = [];
        const wrong: string[] = [];
        for (const c of CASES) {
          const r = await inChecker(env, c);
          const chromium = chromiumReads(r.verdict) ? 'readable' : 'blocked';
          const standard = r.verdict.ok ? 'readable' : 'blocked';
          if (chromium !== c.expect || standard !== (c.standard ?? c.expect)) wrong.push(c.id);
          const why = r.verdict.ok ? '' : abbreviate(r.verdict.reason);
          rows.push([c.id, r.classification.preflight ? 'yes' : 'no', standard, why]);
        }
        t.table(['case', 'preflight', 'verdict', 'reason'], rows);
        t.equal("the checker's verdicts match the note for every case", wrong, []);
      },
      { id: 'wire' },
    ),
    step(
      'origins-and-what-cross-origin-really-blocks',
      'Cross-origin: the server runs the request; the browser hides the answer',
      async (t, env) => {
        const a = originFor('A', env.ports);
        const pairs: [string, string][] = [
          [`${a}/page`, `${a}/api`],
          [a, a.replace('http:', 'https:')],
          [a, `http://localhost:${env.ports.page}`],
          [a, `http://127.0.0.1:${env.ports.api}`],
        ];
        t.table(
          ['page', 'target', 'same origin?'],
          pairs.map(([x, y]) => {
            const s = sameOrigin(x, y);
            return [
              redact(env, x),
              redact(env, y),
              s.same ? 'yes' : `no (${s.differs.join(', ')})`,
            ];
          }),
        );
        t.equal(
          'only scheme, host and port count: localhost and 127.0.0.1 are different origins',
          pairs.map(([x, y]) => sameOrigin(x, y).differs.join(',')),
          ['', 'scheme', 'host', 'port'],
        );
        if (!env.browser) throw new Error('Chromium is not running');
        const same = await env.browser.fetchFrom(a, `${a}/same/data`);
        t.equal('a same-origin fetch needs no CORS header at all', same.body, 'same-origin data');
        for (const k of casesOf('cross-origin')) {
          const { browser } = await showCase(t, env, k);
          t.equal(
            `${k.id}: the ${k.init.method} still reached the server, which answered it`,
            browser.requests.map((l) => l.method),
            [k.init.method],
          );
          t.equal(
            `${k.id}: fetch() rejected with a bare TypeError`,
            browser.outcome.error,
            'TypeError: Failed to fetch',
          );
        }
      },
      { id: 'cross-origin', ...browserOnly },
    ),
    step('simple-requests', 'Simple requests go out with no preflight', simpleStep, {
      id: 'simple',
      ...browserOnly,
    }),
    step(
      'preflight-requests',
      'Preflights: what triggers one, and what makes it fail',
      preflightStep,
      {
        id: 'preflight',
        ...browserOnly,
      },
    ),
    step(
      'the-preflight-cache-access-control-max-age',
      'Access-Control-Max-Age: the preflight cache, 5 s by default',
      maxAgeStep,
      { id: 'max-age', ...browserOnly },
    ),
    step(
      'credentials',
      "Credentials: the exact origin and ACAC: true, never '*'",
      credentialsStep,
      {
        id: 'credentials',
        ...browserOnly,
      },
    ),
    step('reading-response-headers', 'Which response headers a script can read', exposeStep, {
      id: 'expose',
      ...browserOnly,
    }),
    step(
      'vary-origin',
      'Vary: Origin, or a cache hands one origin the answer for another',
      varyStep,
      {
        id: 'vary',
        ...browserOnly,
      },
    ),
    step('origin-policies-with-holes', 'Origin policies with holes', holesStep, {
      id: 'holes',
      ...browserOnly,
    }),
  ],
  teardown: stopCorsEnv,
});

/** ACAO, ACAM, ACAH, ACAC: the note's abbreviations, so a reason fits a table cell. */
function abbreviate(reason: string): string {
  const short = reason
    .replace(
      /Access-Control-Allow-(Origin|Methods|Headers|Credentials)( header)?/g,
      (_m, w: string) => `ACA${w[0]}`,
    )
    .replace(/^preflight response /, 'preflight ')
    .replace(/^preflight ACAH: \* never covers/, 'ACAH * never covers')
    .replace(/ for a credentialed request$/, '');
  return short.length > 54 ? `${short.slice(0, 53)}…` : short;
}
