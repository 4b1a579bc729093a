// What people say about CORS: seed 000's section "What is CORS?" (translated, line by line) and
// interview lore. Each entry is decided by a claim a step makes in Chromium or on the wire, or
// cited where this machine cannot show it.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'cors-is-embedding',
    said: 'CORS is when the requested resource contains a link to an object on another resource.',
    source: 'seed 000:52',
    verdict: 'wrong',
    truth:
      "Embedding (`<img>`, `<script>`, `<link>`) crosses origins without CORS; CORS decides whether a script may read a cross-origin response (Fetch, 'CORS protocol').",
    by: {
      step: 'mixed-content',
      claim: 'an <img> from another origin loaded although the API sent no CORS header',
    },
  },
  {
    id: 'cors-is-mixed-content',
    said: 'For example, a site opened over https contains images that point to http.',
    source: 'seed 000:53',
    verdict: 'wrong',
    truth:
      'That is mixed content (W3C Mixed Content), a separate rule: Chromium blocks the http fetch before it is sent, whatever the server would answer.',
    by: { step: 'mixed-content', claim: "Chromium's reason is mixed content, not CORS" },
  },
  {
    id: 'origin-triple',
    said: 'Resources differ when their scheme, FQDN or port differ.',
    source: 'seed 000:54',
    verdict: 'holds',
    truth:
      'An origin is (scheme, host, port); the path never counts, and localhost and 127.0.0.1 are different hosts.',
    by: { step: 'cross-origin', claim: 'only scheme, host and port count' },
  },
  {
    id: 'blocked-loading',
    said: 'Then loading is blocked by CORS policies.',
    source: 'seed 000:54',
    verdict: 'wrong',
    truth:
      'A simple cross-origin request is sent and the server runs it, even a state-changing POST; only the page reading the answer is blocked.',
    by: {
      step: 'cross-origin',
      claim: 'no-acao-post: the POST still reached the server, which answered it',
    },
  },
  {
    id: 'acao-star',
    said: 'The server must send Access-Control-Allow-Origin: * (or the origin that is allowed).',
    source: 'seed 000:55',
    verdict: 'partly',
    truth:
      'With credentials * fails: the answer must name the exact origin and add Access-Control-Allow-Credentials: true.',
    by: { step: 'credentials', claim: 'cred-star: the page could not read the response' },
  },
  {
    id: 'simple-and-complex',
    said: 'CORS requests are simple or complex.',
    source: 'seed 000:57',
    verdict: 'holds',
    truth:
      'Simple requests go out at once; the others ("complex") are preflighted with OPTIONS first.',
    by: { step: 'simple', claim: 'simple-get: no OPTIONS arrived, only the GET' },
  },
  {
    id: 'complex-method',
    said: 'A request is complex when its method is not GET, POST or HEAD.',
    source: 'seed 000:59',
    verdict: 'holds',
    truth: 'Only GET, HEAD and POST are CORS-safelisted methods (Fetch §2.2.1).',
    by: {
      step: 'preflight',
      claim: "put-allowed: Chromium's OPTIONS asked for what the rules predict",
    },
  },
  {
    id: 'complex-headers',
    said: 'A request is complex when it has headers other than Accept, Accept-Language or Content-Language.',
    source: 'seed 000:60',
    verdict: 'partly',
    truth:
      'Content-Type (form, multipart or text/plain) and a single-range Range are safelisted too, and values have byte and length limits (Fetch §2.2.2).',
    by: { step: 'simple', claim: 'simple-range: no OPTIONS arrived, only the GET' },
  },
  {
    id: 'complex-content-type',
    said: 'A request is complex when Content-Type is not application/x-www-form-urlencoded, multipart/form-data or text/plain.',
    source: 'seed 000:61',
    verdict: 'holds',
    truth:
      'application/json is preflighted and must be allowed by Access-Control-Allow-Headers: content-type.',
    by: {
      step: 'preflight',
      claim: "json-allowed: Chromium's OPTIONS asked for what the rules predict",
    },
  },
  {
    id: 'preflight-options',
    said: 'Complex requests are preceded by preflight requests with the OPTIONS method.',
    source: 'seed 000:63',
    verdict: 'holds',
    truth:
      'The OPTIONS carries Origin, Access-Control-Request-Method and -Headers, and no cookies.',
    by: {
      step: 'preflight',
      claim: "header-allowed: Chromium's OPTIONS asked for what the rules predict",
    },
  },
  {
    id: 'preflight-needs',
    said: 'In answer to the preflight the browser needs Access-Control-Allow-Methods and Access-Control-Allow-Headers.',
    source: 'seed 000:64',
    verdict: 'partly',
    truth:
      'The preflight must also pass the CORS check (ACAO, plus ACAC with credentials), be 2xx and not redirect; ACAM is needed only for non-safelisted methods.',
    by: {
      step: 'preflight',
      claim:
        'preflight-no-acao: Chromium refused the preflight for its missing Access-Control-Allow-Origin',
    },
  },
  {
    id: 'acam',
    said: 'Access-Control-Allow-Methods says which methods the URL supports in the CORS protocol.',
    source: 'seed 000:65',
    verdict: 'holds',
    truth: 'A method it does not list (case-sensitively) is never sent.',
    by: { step: 'preflight', claim: 'delete-refused: the DELETE itself was never sent' },
  },
  {
    id: 'acah',
    said: 'Access-Control-Allow-Headers says which headers the URL supports in the CORS protocol.',
    source: 'seed 000:66',
    verdict: 'holds',
    truth: 'A non-safelisted header it does not list stops the request before it is sent.',
    by: { step: 'preflight', claim: 'header-refused: the GET itself was never sent' },
  },
  {
    id: 'max-age-default',
    said: 'Access-Control-Max-Age gives the seconds (5 by default) for which the preflight answer may be cached.',
    source: 'seed 000:67',
    verdict: 'holds',
    truth: "The Fetch standard's default is 5 s, and Chromium preflighted again after 5 s.",
    by: { step: 'max-age', claim: 'the cached preflight expired between 5 and 8 s' },
  },
  {
    id: 'max-age-caches',
    said: 'Max-Age is how long the ACAM and ACAH information may be cached.',
    source: 'seed 000:67',
    verdict: 'holds',
    truth: 'While the entry lives, identical requests skip the OPTIONS.',
    by: { step: 'max-age', claim: 'Max-Age: 600: one OPTIONS served both PUTs' },
  },
  {
    id: 'max-age-cap',
    said: 'Any Access-Control-Max-Age is honoured.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Browsers cap it: Chromium at 7200 s, Firefox at 86400 s.',
    by: {
      cited: 'Chromium services/network/cors/preflight_result.cc (kMaxTimeout = base::Hours(2))',
      why: 'waiting two hours is not a test',
    },
  },
  {
    id: 'cors-protects',
    said: 'CORS protects my API.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'It only controls reading in browsers; curl, Postman and servers ignore it, so protect the API with authentication and CSRF defences.',
    by: { step: 'wire', claim: 'Node read the body although no Access-Control-Allow-Origin came' },
  },
  {
    id: 'node-fetch-cors',
    said: "Node's fetch enforces CORS like a browser.",
    source: 'lore',
    verdict: 'wrong',
    truth: 'undici sends no preflight and blocks nothing.',
    by: { step: 'wire', claim: 'the server received the PUT itself, with no OPTIONS before it' },
  },
  {
    id: 'acah-star-authorization',
    said: 'Access-Control-Allow-Headers: * covers Authorization.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'The standard says never (a CORS non-wildcard request-header name), but Chromium lets it through; list Authorization by name.',
    by: { step: 'preflight', claim: 'authorization-star: the page could read the response' },
  },
  {
    id: 'acah-star-credentials',
    said: 'Access-Control-Allow-Headers: * allows any header, credentials or not.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'With credentials * is a literal header name that matches nothing.',
    by: {
      step: 'credentials',
      claim: 'cred-headers-star: with credentials ACAH: * is a literal name',
    },
  },
  {
    id: 'acao-star-acac',
    said: 'Access-Control-Allow-Origin: * with Allow-Credentials: true lets credentialed requests through.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Browsers reject that combination; the cors middleware makes it easy to send (expressjs/cors #119).',
    by: { step: 'credentials', claim: 'cred-star-acac: the page could not read the response' },
  },
  {
    id: 'preflight-cookie',
    said: 'The preflight carries the session cookie.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'The OPTIONS is always anonymous; a server that demands a session on it breaks every preflight.',
    by: { step: 'credentials', claim: 'cred-put: the preflight carried no cookie' },
  },
  {
    id: 'preflight-redirect',
    said: 'A preflight may be redirected like any request.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'A redirected preflight fails and the request is never sent.',
    by: { step: 'preflight', claim: 'preflight-redirect: the PUT itself was never sent' },
  },
  {
    id: 'preflight-status',
    said: 'The preflight status does not matter as long as the headers are right.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'It must be 2xx; a 403 with perfect headers still stops the request.',
    by: { step: 'preflight', claim: 'preflight-403: the PUT itself was never sent' },
  },
  {
    id: 'method-case',
    said: 'Method names in Access-Control-Allow-Methods compare case-insensitively.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "fetch() upper-cases only six methods, so 'patch' stays lower-case and ACAM: PATCH does not allow it.",
    by: { step: 'preflight', claim: 'patch-lowercase: the page could not read the response' },
  },
  {
    id: 'value-128',
    said: 'A safelisted header stays safelisted whatever its value.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Each safelisted value may be at most 128 bytes: 128 went out as a simple request, 129 was preflighted.',
    by: { step: 'preflight', claim: 'value-129: Accept-Language of 129 bytes was preflighted' },
  },
  {
    id: 'value-1024',
    said: 'Several safelisted headers of under 128 bytes each never need a preflight.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Safelisted values may total at most 1024 bytes (Fetch, CORS-unsafe request-header names); nine 120-byte values were preflighted.',
    by: {
      step: 'preflight',
      claim: 'values-over-1024: Accept-Language of 9 × 120 bytes was preflighted',
    },
  },
  {
    id: 'reflect-origin',
    said: 'Reflecting the request Origin in Access-Control-Allow-Origin is fine.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'With credentials it lets any site the user visits read the user’s data.',
    by: { step: 'holes', claim: "reflect-any: an evil subdomain read alice's data" },
  },
  {
    id: 'null-origin',
    said: 'Allowing the origin null is harmless.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Any attacker gets Origin: null from a sandboxed iframe.',
    by: { step: 'holes', claim: 'null-allowed: the page could read the response' },
  },
  {
    id: 'regex-unanchored',
    said: '/example\\.com/ is a safe check for our origins.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Unanchored, it admits evilexample.com and example.com.evil.net.',
    by: {
      step: 'holes',
      claim: 'regex-unanchored-net: /example\\.com/ also admits example.com.evil.net',
    },
  },
  {
    id: 'regex-end-anchor',
    said: 'Anchoring the end, /example\\.com$/, makes the regex safe.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'It still admits evilexample.com; anchor both ends and escape the dots, or compare exact origins from a set.',
    by: {
      step: 'holes',
      claim: 'regex-end-only: anchoring only the end still admits evilexample.com',
    },
  },
  {
    id: 'regex-anchored',
    said: 'A regex anchored at both ends with escaped dots admits only our origin.',
    source: 'lore',
    verdict: 'holds',
    truth:
      '^http://app\\.example\\.com(:\\d+)?$ refused evilexample.com and example.com.evil.net and admitted app.example.com.',
    by: {
      step: 'holes',
      claim: 'regex-anchored-net: the anchored regex refuses example.com.evil.net',
    },
  },
  {
    id: 'vary-optional',
    said: 'Vary: Origin is optional.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "When ACAO depends on Origin, a cache without Vary hands one origin's answer to another.",
    by: { step: 'vary', claim: "vary-missing: b was blocked by a's Access-Control-Allow-Origin" },
  },
  {
    id: 'read-all-headers',
    said: 'Once CORS passes, a script can read every response header.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Only the CORS-safelisted response headers, plus those listed in Access-Control-Expose-Headers.',
    by: { step: 'expose', claim: 'expose-none: X-Request-Id is not readable' },
  },
  {
    id: 'expose-star-cred',
    said: 'Access-Control-Expose-Headers: * exposes every header.',
    source: 'lore',
    verdict: 'partly',
    truth: 'Only without credentials; and Set-Cookie is never readable.',
    by: { step: 'expose', claim: 'expose-star-cred: X-Request-Id is not readable' },
  },
];
