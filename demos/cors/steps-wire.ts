// The wire, and what cross-origin really blocks: what a browser would send and what the server
// answers (undici, which enforces nothing), then the same-origin rule and cross-origin fetches in
// Chromium.

import { request } from 'undici';
import { step } from '../kit/define.ts';
import { exchangeFigure } from '../kit/http-wire.ts';
import { apiOrigin, CASES, casesOf, originFor, secureOriginFor } from './cases.ts';
import { exchangeTurns } from './checker.ts';
import type { Env } from './env.ts';
import { chromiumReads, sameOrigin } from './fetch-rules.ts';
import { browserOf, consoleReason, inChecker, redact } from './probe.ts';
import { showCase } from './show.ts';

export const wireStep = step<Env>(
  {
    id: 'wire',
    section: 'the-wire-what-a-browser-sends-and-what-the-server-answers',
    title: 'The wire: the preflight a browser would send, and the answers (undici)',
  },
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
      t.figure(
        exchangeFigure(
          ['checker', 'API'],
          r.exchanges.flatMap((x) => exchangeTurns(x, (s) => redact(env, s))),
        ),
      );
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
);

export const crossOriginStep = step<Env>(
  {
    id: 'cross-origin',
    section: 'origins-and-what-cross-origin-really-blocks',
    title: 'Cross-origin: the server runs the request; the browser hides the answer',
    needs: ['chromium'],
  },
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
        return [redact(env, x), redact(env, y), s.same ? 'yes' : `no (${s.differs.join(', ')})`];
      }),
    );
    t.equal(
      'only scheme, host and port count: localhost and 127.0.0.1 are different origins',
      pairs.map(([x, y]) => sameOrigin(x, y).differs.join(',')),
      ['', 'scheme', 'host', 'port'],
    );
    const same = await browserOf(env).fetchFrom(a, `${a}/same/data`);
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
);

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

export const mixedContentStep = step<Env>(
  {
    id: 'mixed-content',
    section: 'origins-and-what-cross-origin-really-blocks',
    title: 'Mixed content is not CORS: embedding crosses origins; https pages refuse http',
    needs: ['chromium'],
  },
  async (t, env) => {
    const browser = browserOf(env);
    const page = originFor('A', env.ports);
    const api = apiOrigin('named', env.ports);
    const image = `${api}/img/${env.suffix}-${++env.seq}.gif`;
    const img = await browser.loadImage(page, image);
    const imageSeen = env.api.requestsFor(new URL(image).pathname);
    env.api.policy('mixed', { origin: '*' });
    const secure = secureOriginFor('app', env.securePage.port);
    const insecure = `${api}/c/mixed/${env.suffix}-${++env.seq}`;
    const fetched = await browser.fetchFrom(secure, insecure);
    const fetchSeen = env.api.requestsFor(new URL(insecure).pathname);
    const loopback = `${apiOrigin('ip', env.ports)}/c/mixed/${env.suffix}-${++env.seq}`;
    const local = await browser.fetchFrom(secure, loopback);
    t.table(
      ['page', 'loads', 'API received', 'page got'],
      [
        [
          redact(env, page),
          `<img> ${redact(env, image)}`,
          imageSeen.length,
          img.loaded ? `image ${img.width}×1` : 'error',
        ],
        [
          redact(env, secure),
          `fetch ${redact(env, insecure)}`,
          fetchSeen.length,
          fetched.readable ? 'readable' : fetched.error,
        ],
        [
          redact(env, secure),
          `fetch ${redact(env, loopback)}`,
          env.api.requestsFor(new URL(loopback).pathname).length,
          local.readable ? 'readable' : local.error,
        ],
      ],
    );
    t.say(`Chromium: ${consoleReason(env, fetched.console)}`);
    t.equal(
      'an <img> from another origin loaded although the API sent no CORS header at all',
      [img.loaded, img.width, imageSeen.length],
      [true, 1, 1],
    );
    t.equal(
      'the image went out in no-cors mode: no Origin header, nothing for CORS to check',
      imageSeen.map((l) => l.headers.origin),
      [undefined],
    );
    t.equal(
      'from an https page, a fetch of an http URL failed although the API allows every origin',
      fetched.error,
      'TypeError: Failed to fetch',
    );
    t.equal(
      'that request never left the browser (the API received nothing); a CORS failure is sent first',
      fetchSeen.length,
      0,
    );
    t.match("Chromium's reason is mixed content, not CORS", fetched.console ?? '', /Mixed Content/);
    t.check(
      'http://127.0.0.1 is potentially trustworthy, so the same fetch to it is no mixed content',
      local.readable,
      local.error,
    );
  },
);
