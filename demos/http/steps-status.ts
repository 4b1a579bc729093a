// Status codes from a server that answers them for real, as the wire shows them.

import { Agent, fetch } from 'undici';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { adminClaims } from './auth-claims.ts';
import type { Env } from './env.ts';
import { createHttpbin } from './httpbin.ts';
import { RATE_LIMIT } from './routes.ts';
import { rawExchange, request, Tap, tappedAgent } from './wire.ts';

export const informationalStep = step<Env>(
  {
    id: 'status-1xx',
    section: '1xx-informational',
    title: '1xx: 100 Continue before a body, 103 Early Hints before the answer',
  },
  async (t, { bin }) => {
    const body = 'x'.repeat(1000);
    const ok = await request(`${bin.url}/continue`, {
      method: 'POST',
      headers: { Expect: '100-continue', 'Content-Length': body.length },
      body,
      waitForContinue: true,
    });
    t.say('The client sends the head, waits for 100 Continue, and only then the body:');
    t.figure(ok.tap.figure({ bodyLines: 1 }));
    t.equal(
      'the wire order was: head →, ← 100 Continue, body →, ← 200',
      ok.tap.segments.map((s) => `${s.dir}${s.bytes.toString('latin1').slice(0, 12)}`),
      ['>POST /contin', '<HTTP/1.1 100', `>${'x'.repeat(12)}`, '<HTTP/1.1 200'],
    );
    const big = await request(`${bin.url}/continue`, {
      method: 'POST',
      headers: { Expect: '100-continue', 'Content-Length': 5_000_000 },
      waitForContinue: true,
    });
    t.say('Announce 5 MB instead: the server refuses from the head alone.');
    t.figure(big.tap.figure());
    t.equal(
      'a 5 MB body was refused with 413 and no 100 Continue',
      [big.status, big.informational.length],
      [413, 0],
    );
    t.equal(
      'Node still names 413 by its old reason phrase, not RFC 9110\'s "Content Too Large"',
      big.tap.text('<').split('\r\n')[0],
      'HTTP/1.1 413 Payload Too Large',
    );
    t.check(
      'the client never sent the body: under 1 KB left it, not 5 MB',
      big.tap.text('>').length < 1024,
      `${big.tap.text('>').length} bytes sent`,
    );

    const hints = await request(`${bin.url}/early-hints`);
    t.say("node:http's 'information' event sees the 103:");
    t.figure(hints.tap.figure({ bodyLines: 1 }));
    t.equal(
      'node:http reported a 103 with the Link header, then the final 200',
      [hints.informational.map((i) => [i.status, i.headers.link]), hints.status],
      [[[103, '</style.css>; rel=preload']], 200],
    );
    const tap = new Tap();
    const dispatcher = tappedAgent(tap);
    t.defer(() => dispatcher.close());
    const res = await fetch(`${bin.url}/early-hints`, { dispatcher });
    await res.text();
    t.show('fetch gave', `status ${res.status}; the Response API has no place for a 1xx`);
    t.check(
      'fetch resolved with the 200 although its own socket received the 103 first',
      res.status === 200 && tap.text('<').startsWith('HTTP/1.1 103 Early Hints'),
      tap.text('<').slice(0, 40),
    );
  },
);

export const successStep = step<Env>(
  {
    id: 'status-2xx-3xx',
    section: '2xx-and-3xx-success-and-redirection',
    title: '2xx and 3xx: 201 and 204, which redirects turn POST into GET, 304',
  },
  async (t, { bin }) => {
    const created = await request(`${bin.url}/items`, { method: 'POST', body: '{}' });
    const none = await request(`${bin.url}${created.headers.location}`, { method: 'DELETE' });
    t.figure(none.tap.figure());
    t.equal(
      '201 came with a Location; 204 carried no body and no Content-Length',
      [created.status, created.headers.location?.startsWith('/items/'), none.status],
      [201, true, 204],
    );
    t.check(
      '204: nothing follows the blank line',
      none.tap.text('<').endsWith('\r\n\r\n') && !('content-length' in none.headers),
      JSON.stringify(none.tap.text('<')),
    );

    const dispatcher = new Agent();
    t.defer(() => dispatcher.close());
    const rows: [number, string, string][] = [];
    for (const code of [301, 302, 303, 307, 308]) {
      const res = await fetch(`${bin.url}/status/${code}`, {
        method: 'POST',
        body: 'a=1',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        dispatcher,
      });
      const echo = (await res.json()) as { method: string; body: string };
      rows.push([code, echo.method, echo.body ? 'yes' : 'no']);
    }
    t.say('fetch follows each redirect of POST /status/{code} to /anything, which echoes:');
    t.table(['code', 'method after redirect', 'body kept'], rows);
    t.equal(
      '301, 302 and 303 turned POST into GET and dropped the body; 307 and 308 kept both',
      rows.map(([code, m, b]) => `${code} ${m} ${b}`),
      ['301 GET no', '302 GET no', '303 GET no', '307 POST yes', '308 POST yes'],
    );

    const fresh = await request(`${bin.url}/etag/v1`);
    const same = await request(`${bin.url}/etag/v1`, { headers: { 'If-None-Match': '"v1"' } });
    const other = await request(`${bin.url}/etag/v1`, { headers: { 'If-None-Match': '"v0"' } });
    t.say('A conditional GET with the ETag the client already holds:');
    t.figure(same.tap.figure());
    t.equal(
      'ETag "v1" → 200; If-None-Match "v1" → 304 with no body; "v0" → 200',
      [fresh.status, fresh.headers.etag, same.status, same.body, other.status],
      [200, '"v1"', 304, '', 200],
    );
  },
);

export const clientErrorStep = step<Env>(
  {
    id: 'status-4xx',
    section: '4xx-client-errors',
    title: "4xx: Node's parser answers 400 itself; 401 vs 403; 405 vs 501; 429",
  },
  async (t, { bin }) => {
    const before = bin.requests;
    const bad = await rawExchange(bin.port, ['HELLO /there HTTP/1.1\r\nHost: x\r\n\r\n']);
    t.figure(bad.tap.figure());
    t.check(
      'an unknown method in the request line: 400 and a closed connection, from the parser',
      /^HTTP\/1\.1 400 /.test(bad.response) && bad.closedByServer,
      bad.response,
    );
    t.equal('no route handler ran for it', bin.requests - before, 0);

    await adminClaims(t, `${bin.url}/admin`);

    const missing = await request(`${bin.url}/no/such/thing`);
    const post = await request(`${bin.url}/methods`, { method: 'POST' });
    const purge = await request(`${bin.url}/methods`, { method: 'PURGE' });
    t.figure(post.tap.figure({ bodyLines: 1 }));
    t.equal(
      'unknown path → 404; POST on a GET-only resource → 405 + Allow; PURGE → 501',
      [missing.status, post.status, post.headers.allow, purge.status],
      [404, 405, 'GET, HEAD, OPTIONS', 501],
    );

    const client = { 'X-Client-Id': 'demo' };
    const statuses: number[] = [];
    let last = await request(`${bin.url}/limited`, { headers: client });
    statuses.push(last.status);
    for (let i = 0; i < RATE_LIMIT.requests; i++) {
      last = await request(`${bin.url}/limited`, { headers: client });
      statuses.push(last.status);
    }
    t.figure(last.tap.figure({ bodyLines: 1 }));
    const retry = Number(last.headers['retry-after']);
    t.equal(`${RATE_LIMIT.requests} requests pass, the next one is 429`, statuses, [
      ...Array(RATE_LIMIT.requests).fill(200),
      429,
    ]);
    t.check(
      '429 says when to come back: Retry-After in seconds, within the window',
      Number.isInteger(retry) && retry > 0 && retry <= RATE_LIMIT.windowMs / 1000,
      `Retry-After: ${last.headers['retry-after']}`,
    );
  },
);

export const serverErrorStep = step<Env>(
  {
    id: 'status-5xx',
    section: '5xx-server-errors',
    title: '5xx: a handler that throws is 500; Node itself answers 503',
  },
  async (t, { bin }) => {
    const crash = await request(`${bin.url}/crash`);
    t.figure(crash.tap.figure({ bodyLines: 1 }));
    t.check(
      'the handler threw: 500, and the body does not leak the stack',
      crash.status === 500 && !/Error|at /.test(crash.body),
      crash.body,
    );
    const limited = createHttpbin();
    limited.server.maxRequestsPerSocket = 2;
    const port = await listen(limited.server);
    t.defer(() => closeServer(limited.server));
    const get = 'GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n';
    const three = await rawExchange(port, [get, get, get]);
    t.say('A server with maxRequestsPerSocket = 2, three requests on one connection:');
    t.figure(three.tap.figure({ hide: /^(content-type|keep-alive)$/i }));
    t.check(
      "the third request got Node's own 503; the second already said Connection: close",
      /Connection: close[\s\S]*HTTP\/1\.1 503 Service Unavailable/.test(three.response) &&
        limited.requests === 2,
      three.response,
    );
  },
);
