// The demo's cases: one fetch() from one page origin to the API under one CORS policy. Each step
// runs its cases in Chromium and through the checker; agreement.test.ts runs every case both ways.

import type { FetchInit } from './browser.ts';
import type { Policy } from './servers.ts';

/** The two ports; every origin of the demo is a host name on one of them. */
export interface Ports {
  page: number;
  api: number;
}

/** Page origins: origin A, same-site neighbours under example.test, and three attackers. */
type Role = 'A' | 'a' | 'b' | 'evil' | 'evilcom' | 'evilnet' | 'app';

const HOSTS: Record<Role, string> = {
  A: '127.0.0.1',
  a: 'a.example.test',
  b: 'b.example.test',
  evil: 'evil.example.test',
  evilcom: 'evilexample.com',
  evilnet: 'example.com.evil.net',
  app: 'app.example.com',
};

export function originFor(role: Role, ports: Ports): string {
  return `http://${HOSTS[role]}:${ports.page}`;
}

/** The same host name over https, on the secure page server's port. */
export function secureOriginFor(role: Role, port: number): string {
  return `https://${HOSTS[role]}:${port}`;
}

/** The API's origin: by IP (origin B) or by name (same site as the example.test pages). */
export function apiOrigin(api: 'ip' | 'named', ports: Ports): string {
  return `http://${api === 'ip' ? '127.0.0.1' : 'api.example.test'}:${ports.api}`;
}

export interface CorsCase {
  id: string;
  /** The step that shows it. */
  step: string;
  /** What the case shows, for the transcript. */
  what: string;
  from: Role;
  /** Run the fetch inside a sandboxed iframe of the page, so its origin is `null`. */
  sandboxed?: boolean;
  api: 'ip' | 'named';
  init: FetchInit;
  policy: (ports: Ports) => Policy;
  /** What the note says Chromium does; the claims compare Chromium's behaviour with it. */
  expect: 'readable' | 'blocked';
  /** Where the Fetch standard and Chromium differ. */
  standard?: 'readable' | 'blocked';
}

const get = (headers: [string, string][] = [], extra: FetchInit = {}): FetchInit => ({
  method: 'GET',
  headers,
  ...extra,
});

/** Response headers of the expose cases: safelisted ones, one custom, and a cookie. */
const RESPONSE_HEADERS = {
  'x-request-id': 'r-42',
  'cache-control': 'no-store',
  'content-language': 'en',
  'set-cookie': 'seen=1; Path=/; SameSite=Lax',
};

/** Anchored at both ends, dots escaped: only app.example.com (on any port) matches. */
const ANCHORED = /^http:\/\/app\.example\.com(:\d+)?$/;

export const CASES: CorsCase[] = [
  // Cross-origin without any CORS header: the server runs the request, the page cannot read.
  c('no-acao-get', 'cross-origin', 'GET, no ACAO', 'A', get(), { origin: 'none' }, 'blocked'),
  c(
    'no-acao-post',
    'cross-origin',
    'POST text/plain, no ACAO',
    'A',
    { method: 'POST', headers: [['Content-Type', 'text/plain']], body: 'transfer=100' },
    { origin: 'none' },
    'blocked',
  ),
  // Simple requests: no preflight. The policy answers preflights with 405 to make it obvious.
  ...(
    [
      ['simple-get', 'GET + Accept-Language', get([['Accept-Language', 'de-CH, en;q=0.8']])],
      ['simple-head', 'HEAD', { method: 'HEAD' }],
      [
        'simple-post-form',
        'POST urlencoded',
        {
          method: 'POST',
          headers: [['Content-Type', 'application/x-www-form-urlencoded']],
          body: 'a=1',
        },
      ],
      ['simple-post-text', 'POST string body', { method: 'POST', body: 'hello' }],
      ['simple-range', 'GET + Range bytes=0-3', get([['Range', 'bytes=0-3']])],
      ['value-128', 'GET + a 128-byte Accept-Language', get([['Accept-Language', lang(128)]])],
    ] as [string, string, FetchInit][]
  ).map(([id, what, init]) =>
    c(id, 'simple', what, 'A', init, { origin: '*', preflightStatus: 405 }, 'readable'),
  ),
  // Preflighted requests.
  c('put-allowed', 'preflight', 'PUT, ACAM: PUT', 'A', { method: 'PUT' }, allow('PUT'), 'readable'),
  c(
    'delete-refused',
    'preflight',
    'DELETE, ACAM: PUT',
    'A',
    { method: 'DELETE' },
    allow('PUT'),
    'blocked',
  ),
  c(
    'patch-lowercase',
    'preflight',
    "method 'patch', ACAM: PATCH",
    'A',
    { method: 'patch' },
    allow('PATCH'),
    'blocked',
  ),
  c(
    'header-allowed',
    'preflight',
    'X-Api-Key, ACAH: x-api-key',
    'A',
    get([['X-Api-Key', 'k1']]),
    allow('GET', 'x-api-key'),
    'readable',
  ),
  c(
    'header-refused',
    'preflight',
    'X-Api-Key, no ACAH',
    'A',
    get([['X-Api-Key', 'k1']]),
    allow('GET'),
    'blocked',
  ),
  c(
    'json-allowed',
    'preflight',
    'POST application/json, ACAH: content-type',
    'A',
    { method: 'POST', headers: [['Content-Type', 'application/json']], body: '{}' },
    allow('POST', 'content-type'),
    'readable',
  ),
  {
    ...c(
      'authorization-star',
      'preflight',
      'Authorization, ACAH: *',
      'A',
      get([['Authorization', 'Bearer t0k3n']]),
      allow('GET', '*'),
      'readable',
    ),
    standard: 'blocked',
  },
  c(
    'preflight-no-acao',
    'preflight',
    'PUT, preflight 204 + ACAM but no ACAO',
    'A',
    { method: 'PUT' },
    { origin: 'none', methods: 'PUT' },
    'blocked',
  ),
  c(
    'value-129',
    'preflight',
    'a 129-byte Accept-Language, ACAH: accept-language',
    'A',
    get([['Accept-Language', lang(129)]]),
    allow('GET', 'accept-language'),
    'readable',
  ),
  c(
    'values-over-1024',
    'preflight',
    'nine 120-byte Accept-Language values, ACAH: accept-language',
    'A',
    get(Array.from({ length: 9 }, (): [string, string] => ['Accept-Language', lang(120)])),
    allow('GET', 'accept-language'),
    'readable',
  ),
  c(
    'preflight-403',
    'preflight',
    'PUT, preflight answered 403',
    'A',
    { method: 'PUT' },
    { ...allow('PUT'), preflightStatus: 403 },
    'blocked',
  ),
  c(
    'preflight-redirect',
    'preflight',
    'PUT, preflight answered 307',
    'A',
    { method: 'PUT' },
    { ...allow('PUT'), preflightStatus: 307 },
    'blocked',
  ),
  // Preflight cache (the step sends each twice; here each once).
  c(
    'max-age-600',
    'max-age',
    'PUT, Max-Age: 600',
    'A',
    { method: 'PUT' },
    { ...allow('PUT'), maxAge: 600 },
    'readable',
  ),
  c(
    'max-age-0',
    'max-age',
    'PUT, Max-Age: 0',
    'A',
    { method: 'PUT' },
    { ...allow('PUT'), maxAge: 0 },
    'readable',
  ),
  c(
    'max-age-absent',
    'max-age',
    'PUT, no Max-Age',
    'A',
    { method: 'PUT' },
    allow('PUT'),
    'readable',
  ),
  // Credentials (the browser holds a session cookie for the API's host).
  c('cred-star', 'credentials', 'include, ACAO: *', 'A', cred(), { origin: '*' }, 'blocked'),
  c(
    'cred-star-acac',
    'credentials',
    'include, ACAO: * + ACAC',
    'A',
    cred(),
    { origin: '*', credentials: true },
    'blocked',
  ),
  c(
    'cred-no-acac',
    'credentials',
    'include, exact ACAO, no ACAC',
    'A',
    cred(),
    (p) => ({ origin: [originFor('A', p)] }),
    'blocked',
  ),
  c(
    'cred-exact',
    'credentials',
    'include, exact ACAO + ACAC',
    'A',
    cred(),
    (p) => ({ origin: [originFor('A', p)], credentials: true }),
    'readable',
  ),
  c(
    'cred-put',
    'credentials',
    'PUT include, exact + ACAC',
    'A',
    cred('PUT'),
    (p) => ({ origin: [originFor('A', p)], credentials: true, methods: 'PUT' }),
    'readable',
  ),
  c(
    'cred-methods-star',
    'credentials',
    'PUT include, ACAM: *',
    'A',
    cred('PUT'),
    (p) => ({ origin: [originFor('A', p)], credentials: true, methods: '*' }),
    'blocked',
  ),
  c(
    'cred-headers-star',
    'credentials',
    'X-Api-Key include, exact + ACAC, ACAH: *',
    'A',
    { ...cred(), headers: [['X-Api-Key', 'k1']] },
    (p) => ({ origin: [originFor('A', p)], credentials: true, methods: 'GET', allowHeaders: '*' }),
    'blocked',
  ),
  // Which response headers a script can read.
  c(
    'expose-none',
    'expose',
    'no ACEH',
    'A',
    get(),
    { origin: '*', responseHeaders: RESPONSE_HEADERS },
    'readable',
  ),
  c(
    'expose-listed',
    'expose',
    'ACEH: X-Request-Id',
    'A',
    get(),
    { origin: '*', expose: 'X-Request-Id', responseHeaders: RESPONSE_HEADERS },
    'readable',
  ),
  c(
    'expose-star',
    'expose',
    'ACEH: *',
    'A',
    get(),
    { origin: '*', expose: '*', responseHeaders: RESPONSE_HEADERS },
    'readable',
  ),
  c(
    'expose-star-cred',
    'expose',
    'ACEH: * with credentials',
    'A',
    cred(),
    (p) => ({
      origin: [originFor('A', p)],
      credentials: true,
      expose: '*',
      responseHeaders: RESPONSE_HEADERS,
    }),
    'readable',
  ),
  // Origin policies with holes, and their fixes.
  c(
    'reflect-any',
    'holes',
    'evil subdomain, reflected + ACAC',
    'evil',
    cred(),
    { origin: 'reflect', credentials: true },
    'readable',
    'named',
  ),
  c(
    'null-allowed',
    'holes',
    'sandboxed frame, ACAO: null + ACAC',
    'evil',
    cred(),
    (p) => ({ origin: ['null', originFor('a', p)], credentials: true }),
    'readable',
    'named',
    true,
  ),
  c(
    'regex-unanchored',
    'holes',
    'evilexample.com vs /example\\.com/',
    'evilcom',
    get(),
    { origin: /example\.com/ },
    'readable',
    'named',
  ),
  c(
    'regex-unanchored-net',
    'holes',
    'example.com.evil.net vs /example\\.com/',
    'evilnet',
    get(),
    { origin: /example\.com/ },
    'readable',
    'named',
  ),
  c(
    'regex-end-only',
    'holes',
    'evilexample.com vs /example\\.com(:\\d+)?$/',
    'evilcom',
    get(),
    { origin: /example\.com(:\d+)?$/ },
    'readable',
    'named',
  ),
  c(
    'regex-end-only-net',
    'holes',
    'example.com.evil.net vs /example\\.com(:\\d+)?$/',
    'evilnet',
    get(),
    { origin: /example\.com(:\d+)?$/ },
    'blocked',
    'named',
  ),
  c(
    'regex-anchored',
    'holes',
    'evilexample.com vs /^http:\\/\\/app\\.example\\.com(:\\d+)?$/',
    'evilcom',
    get(),
    { origin: ANCHORED },
    'blocked',
    'named',
  ),
  c(
    'regex-anchored-net',
    'holes',
    'example.com.evil.net vs the anchored regex',
    'evilnet',
    get(),
    { origin: ANCHORED },
    'blocked',
    'named',
  ),
  c(
    'regex-anchored-app',
    'holes',
    'app.example.com vs the anchored regex',
    'app',
    get(),
    { origin: ANCHORED },
    'readable',
    'named',
  ),
  c(
    'allowlist-exact',
    'holes',
    'evilexample.com vs exact allowlist',
    'evilcom',
    get(),
    (p) => ({ origin: [originFor('app', p)] }),
    'blocked',
    'named',
  ),
];

function c(
  id: string,
  step: string,
  what: string,
  from: Role,
  init: FetchInit,
  policy: Policy | ((ports: Ports) => Policy),
  expect: 'readable' | 'blocked',
  api: 'ip' | 'named' = 'ip',
  sandboxed = false,
): CorsCase {
  const p = typeof policy === 'function' ? policy : () => policy;
  return { id, step, what, from, sandboxed, api, init, policy: p, expect };
}

/** An Accept-Language value of exactly `bytes` bytes, every byte a safelisted one. */
function lang(bytes: number): string {
  return 'de-CH,en;q=0.8,'.repeat(Math.ceil(bytes / 15)).slice(0, bytes);
}

function allow(methods: string, allowHeaders?: string): Policy {
  return { origin: 'reflect', methods, allowHeaders };
}

function cred(method = 'GET'): FetchInit {
  return { method, credentials: 'include' };
}

export function casesOf(step: string): CorsCase[] {
  return CASES.filter((k) => k.step === step);
}
