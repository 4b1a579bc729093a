// The `serve` subcommand and every httpbin route, exercised over real sockets the way a curl user
// would: the server runs in-process on port 0.

import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { type Httpbin, startHttpbin } from './httpbin.ts';
import { MAX_DELAY_MS, RATE_LIMIT } from './routes.ts';
import { isLoopback, parsePort, serve, serveCommand } from './serve.ts';
import { rawExchange, request } from './wire.ts';

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('http serve: routes', () => {
  let bin: Httpbin;
  const dispatcher = new Agent();
  beforeAll(async () => {
    bin = await startHttpbin({ port: 0 });
  });
  afterAll(async () => {
    await dispatcher.close();
    await bin.close();
  });
  const url = (path: string) => `${bin.url}${path}`;

  it('/ lists the routes', async () => {
    const r = await request(url('/'));
    expect(r.status).toBe(200);
    expect(r.body).toContain('/basic-auth/{user}/{pass}');
  });

  it('/anything echoes method, headers and body', async () => {
    const res = await fetch(url('/anything/x?y=1'), {
      method: 'PUT',
      body: 'hello',
      headers: { 'X-Test': '1' },
      dispatcher,
    });
    const echo = (await res.json()) as {
      method: string;
      url: string;
      headers: object;
      body: string;
    };
    expect(echo).toMatchObject({ method: 'PUT', url: '/anything/x?y=1', body: 'hello' });
    expect(echo.headers).toMatchObject({ 'x-test': '1' });
  });

  it('/headers lists the header lines in the order sent', async () => {
    const raw = await rawExchange(bin.port, [
      'GET /headers HTTP/1.1\r\nHost: h\r\nX-B: 2\r\nX-A: 1\r\nConnection: close\r\n\r\n',
    ]);
    expect(raw.response).toContain('{"headers":["Host: h","X-B: 2","X-A: 1","Connection: close"]}');
  });

  it('/status/{code}: any code, Location for 3xx, WWW-Authenticate for 401, 400 outside 100-599', async () => {
    expect((await request(url('/status/418'))).status).toBe(418);
    const moved = await request(url('/status/301'));
    expect([moved.status, moved.headers.location]).toEqual([301, '/anything']);
    const unauth = await request(url('/status/401'));
    expect(unauth.headers['www-authenticate']).toMatch(/^Basic /);
    const interim = await request(url('/status/102'));
    expect([interim.informational.map((i) => i.status), interim.status]).toEqual([[102], 200]);
    const empty = await request(url('/status/204'));
    expect([empty.status, empty.body]).toEqual([204, '']);
    expect((await request(url('/status/600'))).status).toBe(400);
    expect((await request(url('/status/abc'))).status).toBe(400);
    expect((await request(url('/status/101'))).status).toBe(400);
  });

  it('/redirect/{n} takes n hops to /anything', async () => {
    const before = bin.requests;
    const res = await fetch(url('/redirect/3'), { dispatcher });
    expect([res.status, res.redirected, new URL(res.url).pathname]).toEqual([
      200,
      true,
      '/anything',
    ]);
    await res.arrayBuffer();
    expect(bin.requests - before).toBe(4);
    expect((await request(url('/redirect/0'))).status).toBe(400);
  });

  it('/delay/{ms} answers later, and refuses more than the bound', async () => {
    const r = await request(url('/delay/20'));
    expect([r.status, r.body]).toEqual([200, '{"delayed":20}\n']);
    expect((await request(url(`/delay/${MAX_DELAY_MS + 1}`))).status).toBe(400);
  });

  it('/etag/{tag}: 200 with ETag, 304 on If-None-Match, 412 on a failed If-Match', async () => {
    const fresh = await request(url('/etag/abc'));
    expect([fresh.status, fresh.headers.etag]).toEqual([200, '"abc"']);
    const same = await request(url('/etag/abc'), { headers: { 'If-None-Match': 'W/"abc"' } });
    expect([same.status, same.body]).toEqual([304, '']);
    const any = await request(url('/etag/abc'), { headers: { 'If-None-Match': '*' } });
    expect(any.status).toBe(304);
    const fail = await request(url('/etag/abc'), { headers: { 'If-Match': '"zzz"' } });
    expect(fail.status).toBe(412);
  });

  it('/methods: GET and HEAD; OPTIONS lists them; others 405 + Allow', async () => {
    expect((await request(url('/methods'))).status).toBe(200);
    const head = await request(url('/methods'), { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
    const options = await request(url('/methods'), { method: 'OPTIONS' });
    expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, OPTIONS']);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const r = await request(url('/methods'), { method });
      expect([method, r.status, r.headers.allow]).toEqual([method, 405, 'GET, HEAD, OPTIONS']);
    }
    expect((await request(url('/methods'), { method: 'PURGE' })).status).toBe(501);
  });

  it('/basic-auth/{user}/{pass}: 401 + challenge until those credentials come', async () => {
    const none = await request(url('/basic-auth/ann/pw'));
    expect([none.status, none.headers['www-authenticate']]).toEqual([
      401,
      'Basic realm="wirenotes", charset="UTF-8"',
    ]);
    const wrong = await request(url('/basic-auth/ann/pw'), {
      headers: { Authorization: basic('ann', 'nope') },
    });
    expect(wrong.status).toBe(401);
    const right = await request(url('/basic-auth/ann/pw'), {
      headers: { Authorization: basic('ann', 'pw') },
    });
    expect([right.status, right.body]).toEqual([200, '{"authenticated":true,"user":"ann"}\n']);
  });

  it('/admin: 401, 403, 200', async () => {
    expect((await request(url('/admin'))).status).toBe(401);
    const bob = await request(url('/admin'), {
      headers: { Authorization: basic('bob', 'builder') },
    });
    expect(bob.status).toBe(403);
    const alice = await request(url('/admin'), {
      headers: { Authorization: basic('alice', 'wonderland') },
    });
    expect(alice.status).toBe(200);
  });

  it('/early-hints: a 103 with Link before the 200', async () => {
    const r = await request(url('/early-hints'));
    expect(r.informational.map((i) => [i.status, i.headers.link])).toEqual([
      [103, '</style.css>; rel=preload'],
    ]);
    expect(r.status).toBe(200);
  });

  it('/continue honours Expect: 100-continue, and refuses an oversized body up front', async () => {
    const ok = await request(url('/continue'), {
      method: 'POST',
      headers: { Expect: '100-continue', 'Content-Length': 3 },
      body: 'abc',
      waitForContinue: true,
    });
    expect([ok.informational.map((i) => i.status), ok.status, ok.body]).toEqual([
      [100],
      200,
      '{"received":3}\n',
    ]);
    const big = await request(url('/continue'), {
      method: 'POST',
      headers: { Expect: '100-continue', 'Content-Length': 10_000_000 },
      waitForContinue: true,
    });
    expect([big.informational.length, big.status]).toEqual([0, 413]);
    const plain = await request(url('/continue'), { method: 'POST', body: 'xy' });
    expect(plain.body).toBe('{"received":2}\n');
    expect((await request(url('/continue'))).status).toBe(405);
  });

  it('/items: POST, GET, PUT, PATCH, DELETE, OPTIONS', async () => {
    const created = await request(url('/items'), { method: 'POST', body: '{"a":1}' });
    expect(created.status).toBe(201);
    const path = created.headers.location as string;
    const patched = await request(url(path), {
      method: 'PATCH',
      body: '[{"op":"add","path":"/tags/-","value":"x"},{"op":"replace","path":"/a","value":2}]',
    });
    expect(JSON.parse(patched.body)).toMatchObject({ a: 2, tags: ['x'] });
    expect((await request(url(path), { method: 'PUT', body: '{"b":1}' })).status).toBe(200);
    expect(JSON.parse((await request(url(path))).body)).toEqual({ b: 1, id: path.split('/')[2] });
    expect((await request(url('/items/zz'), { method: 'PUT', body: '{}' })).status).toBe(201);
    expect((await request(url(path), { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await request(url(path), { method: 'PATCH', body: 'not json' })).status).toBe(400);
    expect((await request(url(path), { method: 'DELETE' })).status).toBe(204);
    expect((await request(url(path))).status).toBe(404);
  });

  it('/limited: 429 with Retry-After after the quota', async () => {
    const headers = { 'X-Client-Id': 'serve-test' };
    const statuses = [];
    for (let i = 0; i <= RATE_LIMIT.requests; i++)
      statuses.push((await request(url('/limited'), { headers })).status);
    expect(statuses.at(-1)).toBe(429);
    const again = await request(url('/limited'), { headers });
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('/crash is a 500; an unknown path a 404', async () => {
    expect((await request(url('/crash'))).status).toBe(500);
    expect((await request(url('/nope'))).status).toBe(404);
  });

  it('TRACE echoes without cookies; CONNECT tunnels to loopback only', async () => {
    const trace = await request(url('/x'), { method: 'TRACE', headers: { Cookie: 'c=secret' } });
    expect(trace.body.startsWith('TRACE /x HTTP/1.1')).toBe(true);
    expect(trace.body).not.toContain('secret');
    const tunnel = await rawExchange(bin.port, [
      `CONNECT localhost:${bin.port} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      'GET /status/200 HTTP/1.1\r\nHost: x\r\n\r\n',
    ]);
    expect(tunnel.response).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200/);
    const denied = await rawExchange(bin.port, ['CONNECT 10.0.0.1:22 HTTP/1.1\r\nHost: a\r\n\r\n']);
    expect(denied.response).toMatch(/^HTTP\/1\.1 403/);
  });

  it('CONNECT to a loopback port that is not this server (MariaDB, Kafka) is refused with 403', async () => {
    for (const port of [3306, 9092]) {
      const denied = await rawExchange(bin.port, [
        `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
      ]);
      expect(denied.response).toMatch(/^HTTP\/1\.1 403 /);
    }
  });

  it('CONNECT is refused the same way when the server binds every interface', async () => {
    const exposed = await startHttpbin({ host: '0.0.0.0' });
    try {
      const denied = await rawExchange(exposed.port, [
        'CONNECT 127.0.0.1:3306 HTTP/1.1\r\nHost: 127.0.0.1:3306\r\n\r\n',
      ]);
      expect(denied.response).toMatch(/^HTTP\/1\.1 403 /);
    } finally {
      await exposed.close();
    }
  });
});

describe('http serve: command line', () => {
  it('prints the address and routes, then stops cleanly when told to', async () => {
    const c = captureIO();
    const stop = new AbortController();
    let port = 0;
    const cmd = serveCommand({
      signal: stop.signal,
      onListening: (bin) => {
        port = bin.port;
        stop.abort();
      },
    });
    const code = await runCli(demo, ['serve', '--port', '0'], [cmd], c);
    expect(code).toBe(0);
    expect(c.stdout[0]).toBe(`httpbin listening on http://127.0.0.1:${port}  (Ctrl-C to stop)`);
    expect(c.stdout.join('\n')).toContain('/early-hints');
    expect(c.stdout.at(-1)).toBe('stopped');
  });

  it.each([['abc'], ['70000'], ['-1'], ['8.5']])('--port %s: one line, exit 2', async (p) => {
    const c = captureIO();
    expect(await runCli(demo, ['serve', '--port', p], [serve], c)).toBe(2);
    expect(c.stderr).toHaveLength(1);
    expect(c.stderr[0]).toMatch(/^demos\/http: /);
  });

  it('an unknown flag: exit 2', async () => {
    const c = captureIO();
    expect(await runCli(demo, ['serve', '--bogus'], [serve], c)).toBe(2);
    expect(c.stderr).toHaveLength(1);
  });

  it('a port already in use: one line, exit 2', async () => {
    const taken = await startHttpbin();
    try {
      const c = captureIO();
      const code = await runCli(demo, ['serve', '--port', String(taken.port)], [serve], c);
      expect([code, c.stderr.length]).toEqual([2, 1]);
      expect(c.stderr[0]).toBe(
        `demos/http: --port ${taken.port} on 127.0.0.1 is already in use: choose another with --port`,
      );
    } finally {
      await taken.close();
    }
  });

  it('a non-loopback --host without --expose: one line, exit 2, nothing bound', async () => {
    const c = captureIO();
    expect(await runCli(demo, ['serve', '--host', '0.0.0.0', '--port', '0'], [serve], c)).toBe(2);
    expect(c.stderr).toEqual([
      'demos/http: --host 0.0.0.0 is not a loopback address: add --expose to serve the network, or omit --host',
    ]);
    expect(c.stdout).toEqual([]);
  });

  it('--expose binds the address and prints a warning', async () => {
    const c = captureIO();
    const stop = new AbortController();
    const cmd = serveCommand({ signal: stop.signal, onListening: () => stop.abort() });
    const argv = ['serve', '--host', '0.0.0.0', '--port', '0', '--expose'];
    expect(await runCli(demo, argv, [cmd], c)).toBe(0);
    expect(c.stderr).toHaveLength(1);
    expect(c.stderr[0]).toMatch(/^warning: serving on http:\/\/0\.0\.0\.0:\d+: every route/);
  });

  it('--help prints the usage, exit 0', async () => {
    const c = captureIO();
    expect(await runCli(demo, ['serve', '--help'], [serve], c)).toBe(0);
    expect(c.stdout[0]).toBe('Usage: npx tsx demos/http serve [--port N] [--host H] [--expose]');
  });

  it('isLoopback: 127.0.0.0/8, ::1 and localhost only', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].map(isLoopback)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('parsePort accepts 0-65535 and defaults to 8000', () => {
    expect([parsePort(undefined), parsePort('0'), parsePort('65535')]).toEqual([8000, 0, 65535]);
  });
});
