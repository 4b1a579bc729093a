// Methods. Safe and idempotent observed on a real resource; OPTIONS, TRACE, CONNECT.

import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { startHttpbin } from './httpbin.ts';
import { callTwice } from './idempotence.ts';
import { rawExchange, request } from './wire.ts';

/** RFC 9110 §9.2.1 (safe) and §9.2.2 (idempotent), and RFC 5789 for PATCH. */
const RFC: Record<string, [safe: boolean, idempotent: boolean]> = {
  GET: [true, true],
  HEAD: [true, true],
  POST: [false, false],
  PUT: [false, true],
  PATCH: [false, false],
  DELETE: [false, true],
};

const yes = (b: boolean) => (b ? 'yes' : 'no');

export const safeStep = step<Env>(
  {
    id: 'safe-and-idempotent',
    section: 'safe-and-idempotent',
    title: 'Methods: HEAD mirrors GET; safe and idempotent, observed on a real collection',
  },
  async (t, { bin }) => {
    const twice = (method: string, path: string, body?: string) =>
      callTwice(bin.url, method, path, body);
    const post = await twice('POST', '/items', '{"name":"pen"}');
    t.say('POST /items twice: each call creates an item.');
    t.figure(post.first.tap.figure());
    const get = await twice('GET', '/items/1');
    const head = await request(`${bin.url}/items/1`, { method: 'HEAD' });
    t.say('HEAD asks for exactly what GET would send, minus the content:');
    t.figure(head.tap.figure());
    const put = await twice('PUT', '/items/7', '{"name":"lamp"}');
    const patch = await twice('PATCH', '/items/1', '[{"op":"add","path":"/tags/-","value":"red"}]');
    const del = await twice('DELETE', '/items/2');
    t.say('DELETE twice: the second finds nothing to delete.');
    t.figure(del.second.tap.figure());
    const runs = { GET: get, POST: post, PUT: put, PATCH: patch, DELETE: del };
    t.table(
      ['method', 'safe', 'idempotent', '1st', '2nd', 'changed state', '2nd call changed it'],
      Object.entries(runs).map(([m, r]) => [
        m,
        yes(RFC[m]?.[0] ?? false),
        yes(RFC[m]?.[1] ?? false),
        r.first.status,
        r.second.status,
        yes(r.before !== r.afterSecond),
        yes(r.afterFirst !== r.afterSecond),
      ]),
    );
    t.say('(safe and idempotent are RFC 9110 §9.2.1-9.2.2; the other columns were observed)');
    t.check(
      'GET changed nothing on the server (safe)',
      get.before === get.afterSecond && get.first.status === 200,
      `before ${get.before}, after ${get.afterSecond}`,
    );
    t.equal(
      'HEAD answered with the headers GET sends and no body',
      {
        status: head.status,
        length: head.headers['content-length'],
        type: head.headers['content-type'],
        bodyBytes: head.body.length,
      },
      {
        status: 200,
        length: get.first.headers['content-length'],
        type: get.first.headers['content-type'],
        bodyBytes: 0,
      },
    );
    t.equal(
      'POST twice made two items with different Locations (not idempotent)',
      [
        post.first.status,
        post.second.status,
        post.first.headers.location !== post.second.headers.location,
      ],
      [201, 201, true],
    );
    t.check(
      'PUT twice leaves the state PUT once left (idempotent), though it said 201 then 200',
      put.afterFirst === put.afterSecond && put.first.status === 201 && put.second.status === 200,
      `statuses ${put.first.status}, ${put.second.status}`,
    );
    t.check(
      'DELETE twice: same state as once, though the responses differ (204, then 404)',
      del.afterFirst === del.afterSecond && del.first.status === 204 && del.second.status === 404,
      `statuses ${del.first.status}, ${del.second.status}`,
    );
    t.check(
      'an appending PATCH applied twice appended twice (PATCH is not idempotent)',
      patch.afterFirst !== patch.afterSecond && /"tags":\["red","red"\]/.test(patch.afterSecond),
      patch.afterSecond,
    );
  },
);

export const optionsStep = step<Env>(
  {
    id: 'options-trace-connect',
    section: 'options-trace-and-connect',
    title: 'OPTIONS lists the methods, TRACE echoes the request, CONNECT opens a tunnel',
  },
  async (t, { bin }) => {
    const options = await request(`${bin.url}/items/1`, { method: 'OPTIONS' });
    t.figure(options.tap.figure());
    t.equal(
      'OPTIONS /items/1 answered 204 with Allow listing what this resource accepts',
      [options.status, options.headers.allow],
      [204, 'GET, HEAD, PUT, PATCH, DELETE, OPTIONS'],
    );

    const trace = await request(`${bin.url}/anything`, {
      method: 'TRACE',
      headers: { 'X-Request-Id': 'r-42', Cookie: 'session=s3cret' },
    });
    t.say('TRACE: the body is the request as the server received it (message/http).');
    t.figure(trace.tap.figure({ bodyLines: 6 }));
    t.check(
      'the TRACE body starts with our request line and carries our X-Request-Id',
      trace.body.startsWith('TRACE /anything HTTP/1.1\r\n') && trace.body.includes('r-42'),
      trace.body,
    );
    t.check(
      'the Cookie we sent is not echoed back (RFC 9110 §9.3.8: leave out sensitive fields)',
      !trace.body.includes('s3cret'),
      trace.body,
    );

    // The target of the tunnel is a second server; the httpbin acts as the proxy.
    const target = await startHttpbin();
    t.defer(() => target.close());
    bin.allowTunnel(target.port);
    const proxied = bin.requests;
    const tunnel = await rawExchange(bin.port, [
      `CONNECT 127.0.0.1:${target.port} HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`,
      `GET /headers HTTP/1.1\r\nHost: 127.0.0.1:${target.port}\r\n\r\n`,
    ]);
    t.say('CONNECT to the proxy, then a GET written into the tunnel it opened:');
    t.figure(tunnel.tap.figure());
    t.match(
      'the proxy answered CONNECT with 2xx and then only relayed bytes',
      tunnel.response,
      /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK/,
    );
    t.equal(
      'the GET inside the tunnel reached the target, not the proxy (proxy requests, target requests)',
      [bin.requests - proxied, target.requests, target.connections],
      [1, 1, 1],
    );
    const denied = await rawExchange(bin.port, [
      'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
    ]);
    t.match(
      'a CONNECT to a non-loopback host is refused (an open proxy is a liability)',
      denied.response,
      /^HTTP\/1\.1 403 /,
    );
    const database = await rawExchange(bin.port, [
      'CONNECT 127.0.0.1:3306 HTTP/1.1\r\nHost: 127.0.0.1:3306\r\n\r\n',
    ]);
    t.match(
      'a CONNECT to a loopback port that is not a test target (MariaDB on 3306) is refused too',
      database.response,
      /^HTTP\/1\.1 403 /,
    );
  },
);
