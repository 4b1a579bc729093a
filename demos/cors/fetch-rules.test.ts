// Unit tests of the Fetch rules (pure functions); the browser comparison is agreement.test.ts.

import { describe, expect, it } from 'vitest';
import {
  type CorsRequest,
  type CorsResponse,
  chromiumReads,
  classify,
  corsCheck,
  exposedHeaderNames,
  forbiddenInput,
  normalizeMethod,
  preflightCheck,
  preflightMaxAge,
  sameOrigin,
  unsafeHeaderNames,
} from './fetch-rules.ts';

const req = (over: Partial<CorsRequest> = {}): CorsRequest => ({
  url: 'https://api.example/items',
  origin: 'https://app.example',
  method: 'GET',
  headers: [],
  credentials: 'same-origin',
  ...over,
});
const res = (status: number, headers: Record<string, string>): CorsResponse => ({
  status,
  headers: new Map(Object.entries(headers)),
});

describe('origins', () => {
  it('compares scheme, host and port, with default ports', () => {
    expect(sameOrigin('https://a.example/x', 'https://a.example:443/y').same).toBe(true);
    expect(sameOrigin('http://a.example', 'https://a.example').differs).toEqual(['scheme', 'port']);
    expect(sameOrigin('http://localhost:80', 'http://127.0.0.1').differs).toEqual(['host']);
  });
});

describe('classify', () => {
  it('calls safelisted methods and headers simple', () => {
    const simple = [
      req(),
      req({ method: 'post', headers: [['Content-Type', 'text/plain;charset=UTF-8']] }),
      req({
        headers: [
          ['Accept-Language', 'de-CH, en;q=0.8'],
          ['Range', 'bytes=0-99'],
        ],
      }),
    ];
    for (const r of simple)
      expect(classify(r)).toMatchObject({ crossOrigin: true, preflight: false });
  });
  it('names every reason for a preflight', () => {
    const c = classify(
      req({
        method: 'PUT',
        headers: [
          ['X-Api-Key', 'k'],
          ['Content-Type', 'application/json'],
        ],
      }),
    );
    expect(c.preflight).toBe(true);
    expect(c.reasons).toEqual([
      'method PUT is not GET, HEAD or POST',
      'x-api-key is not a CORS-safelisted request header',
      'content-type application/json is not form, multipart or text/plain',
    ]);
  });
  it('applies value rules: length, unsafe bytes, ranges', () => {
    expect(classify(req({ headers: [['Accept', 'a'.repeat(129)]] })).preflight).toBe(true);
    expect(classify(req({ headers: [['Accept', 'text/(html)']] })).preflight).toBe(true);
    expect(classify(req({ headers: [['Range', 'bytes=0-1,5-6']] })).preflight).toBe(true);
  });
  it('never preflights same-origin requests', () => {
    expect(classify(req({ origin: 'https://api.example', method: 'DELETE' })).preflight).toBe(
      false,
    );
  });
  it('lists unsafe names lower-case and sorted, as Access-Control-Request-Headers', () => {
    expect(
      unsafeHeaderNames([
        ['X-B', '1'],
        ['Accept', 'x'],
        ['X-A', '2'],
      ]),
    ).toEqual(['x-a', 'x-b']);
  });
  it('normalizes only the six well-known methods', () => {
    expect([normalizeMethod('put'), normalizeMethod('patch')]).toEqual(['PUT', 'patch']);
  });
  it('refuses what a page cannot send', () => {
    expect(forbiddenInput({ method: 'TRACE', headers: [] })).toMatch(/forbidden method/);
    expect(forbiddenInput({ method: 'GET', headers: [['Cookie', 'a=1']] })).toMatch(/forbidden/);
    expect(forbiddenInput({ method: 'GET', headers: [['Sec-Foo', '1']] })).toMatch(/forbidden/);
    expect(forbiddenInput({ method: 'GET', headers: [['X-Ok', '1']] })).toBeUndefined();
  });
});

describe('corsCheck', () => {
  it('accepts * or the exact origin without credentials', () => {
    expect(corsCheck(req(), res(200, { 'access-control-allow-origin': '*' })).ok).toBe(true);
    const two = res(200, {
      'access-control-allow-origin': 'https://app.example, https://b.example',
    });
    expect(corsCheck(req(), two).ok).toBe(false);
  });
  it('needs the exact origin and ACAC: true with credentials', () => {
    const r = req({ credentials: 'include' });
    expect(corsCheck(r, res(200, { 'access-control-allow-origin': '*' }))).toMatchObject({
      ok: false,
    });
    const exact = { 'access-control-allow-origin': 'https://app.example' };
    expect(corsCheck(r, res(200, exact)).ok).toBe(false);
    const acac = { ...exact, 'access-control-allow-credentials': 'true' };
    expect(corsCheck(r, res(200, acac)).ok).toBe(true);
  });
});

describe('preflightCheck', () => {
  const ok = { 'access-control-allow-origin': 'https://app.example' };
  it('needs 2xx and no redirect', () => {
    const put = req({ method: 'PUT' });
    const allow = { ...ok, 'access-control-allow-methods': 'PUT' };
    expect(preflightCheck(put, res(204, allow)).ok).toBe(true);
    expect(preflightCheck(put, res(403, allow))).toMatchObject({ ok: false, reason: /403/ });
    expect(preflightCheck(put, res(307, allow))).toMatchObject({ ok: false, reason: /redirect/ });
  });
  it('matches methods case-sensitively and headers case-insensitively', () => {
    const allow = res(204, {
      ...ok,
      'access-control-allow-methods': 'PATCH',
      'access-control-allow-headers': 'X-API-KEY',
    });
    expect(preflightCheck(req({ method: 'patch' }), allow).ok).toBe(false);
    expect(preflightCheck(req({ method: 'PATCH', headers: [['x-api-key', '1']] }), allow).ok).toBe(
      true,
    );
  });
  it('treats * literally with credentials, and never for Authorization (but Chromium does)', () => {
    const star = res(204, {
      ...ok,
      'access-control-allow-methods': '*',
      'access-control-allow-headers': '*',
      'access-control-allow-credentials': 'true',
    });
    expect(preflightCheck(req({ method: 'PUT', headers: [['X-A', '1']] }), star).ok).toBe(true);
    const cred = req({ method: 'PUT', credentials: 'include' });
    expect(preflightCheck(cred, star)).toMatchObject({ ok: false, reason: /Methods for PUT/ });
    const auth = preflightCheck(req({ headers: [['Authorization', 'Bearer x']] }), star);
    expect(auth).toMatchObject({ ok: false, chromiumAllows: true });
    expect(chromiumReads(auth)).toBe(true);
  });
  it('reads Max-Age with the 5 s default and a cap', () => {
    expect(preflightMaxAge(res(204, {}))).toBe(5);
    expect(preflightMaxAge(res(204, { 'access-control-max-age': '86400' }))).toBe(7200);
  });
});

describe('exposedHeaderNames', () => {
  const headers = {
    'content-type': 'text/plain',
    'x-request-id': '1',
    'set-cookie': 'a=1',
    'access-control-expose-headers': '*',
  };
  it('exposes everything but Set-Cookie for *, only without credentials', () => {
    expect(exposedHeaderNames(req(), res(200, headers))).toEqual([
      'access-control-expose-headers',
      'content-type',
      'x-request-id',
    ]);
    expect(exposedHeaderNames(req({ credentials: 'include' }), res(200, headers))).toEqual([
      'content-type',
    ]);
  });
});
