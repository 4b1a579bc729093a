// HTTP/1.0, HTTP/1.1 (Host, keep-alive), HTTP/2 (TLS + ALPN, streams, framing,
// HPACK, push). Claims count connections, sessions and bytes; never times.

import { spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import type { Env } from './env.ts';
import { closeSession, connect, get, h2Hello, startH2c, startH2Tls } from './h2.ts';
import { startRelay } from './relay.ts';
import { quicFact } from './versions.ts';
import { rawExchange } from './wire.ts';

/** N requests with a node:http agent; resolves with the statuses. */
async function burst(url: string, n: number, agent: http.Agent, concurrent: boolean) {
  const one = () =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });
  if (concurrent) return Promise.all(Array.from({ length: n }, one));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await one());
  return out;
}

const FRAME_TYPES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE'];
FRAME_TYPES.push('PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION');

/** Splits HTTP/2 bytes (after the preface) into frame headers: RFC 9113 §4.1. */
function frames(bytes: Buffer): { type: string; length: number; stream: number }[] {
  const out = [];
  for (let i = 0; i + 9 <= bytes.length; ) {
    const length = bytes.readUIntBE(i, 3);
    const type = FRAME_TYPES[bytes[i + 3] as number] ?? `0x${bytes[i + 3]?.toString(16)}`;
    out.push({ type, length, stream: bytes.readUInt32BE(i + 5) & 0x7fffffff });
    i += 9 + length;
  }
  return out;
}

export const http10Step = step<Env>(
  {
    id: 'http10',
    section: 'http10',
    title: 'HTTP/1.0: no Host needed, one response per connection',
  },
  async (t, { bin }) => {
    const plain = await rawExchange(bin.port, ['GET /early-hints HTTP/1.0\r\n\r\n']);
    t.figure(plain.tap.figure({ bodyLines: 1 }));
    t.check(
      'a 1.0 request without Host was answered 200 (HTTP/1.0 does not require Host)',
      /^HTTP\/1\.1 200 /.test(plain.response),
      plain.response.slice(0, 40),
    );
    t.check(
      'the server closed the connection after the response (Connection: close)',
      plain.closedByServer && /\r\nConnection: close\r\n/i.test(plain.response),
      `closed by server: ${plain.closedByServer}`,
    );
    t.check(
      'this server sent no 103 to the 1.0 client (RFC 9110 §15.2: no 1xx for 1.0)',
      !plain.response.includes(' 103 '),
      plain.response.slice(0, 60),
    );
    const ka = 'GET /headers HTTP/1.0\r\nHost: example.test\r\nConnection: keep-alive\r\n\r\n';
    const opened = bin.connections;
    const two = await rawExchange(bin.port, [ka, ka]);
    t.say(
      'With Host, and the pre-standard keep-alive extension (the client asks, the server agrees):',
    );
    t.figure(two.tap.figure({ bodyLines: 1 }));
    t.check(
      'a 1.0 request may carry Host all the same, and the server reads it',
      two.response.includes('"Host: example.test"'),
      two.response.slice(-80),
    );
    t.equal(
      'with Connection: keep-alive, two 1.0 requests shared one connection',
      [(two.response.match(/HTTP\/1\.1 200/g) ?? []).length, bin.connections - opened],
      [2, 1],
    );
  },
);

export const http11Step = step<Env>(
  {
    id: 'http11',
    section: 'http11',
    title: 'HTTP/1.1: Host is required; keep-alive reuses one connection',
  },
  async (t, { bin }) => {
    const handled = bin.requests;
    const noHost = await rawExchange(bin.port, ['GET /anything HTTP/1.1\r\n\r\n']);
    t.figure(noHost.tap.figure());
    t.check(
      'an HTTP/1.1 request without Host: 400 from Node, before any handler ran',
      /^HTTP\/1\.1 400 /.test(noHost.response) && bin.requests === handled,
      noHost.response.slice(0, 40),
    );
    const n = 5;
    const rows: [string, string, number][] = [];
    const count = async (label: string, agent: http.Agent, concurrent: boolean) => {
      const before = bin.connections;
      const sent = new Set<string>();
      const seen = (req: http.IncomingMessage) => sent.add(String(req.headers.connection));
      bin.server.on('request', seen);
      await burst(`${bin.url}/status/200`, n, agent, concurrent);
      bin.server.off('request', seen);
      agent.destroy();
      rows.push([label, [...sent].join(', '), bin.connections - before]);
    };
    await count('keep-alive agent, one after another', new http.Agent({ keepAlive: true }), false);
    await count('agent without keep-alive', new http.Agent({ keepAlive: false }), false);
    await count('keep-alive agent, all at once', new http.Agent({ keepAlive: true }), true);
    t.table(
      [`${n} requests with…`, 'Connection: (as received)', 'TCP connections (server count)'],
      rows,
    );
    t.equal(
      `keep-alive: ${n} sequential requests, 1 connection; without it, ${n} connections`,
      [rows[0]?.[2], rows[1]?.[2]],
      [1, n],
    );
    t.equal(
      `${n} concurrent HTTP/1.1 requests needed ${n} connections (one request at a time each)`,
      rows[2]?.[2],
      n,
    );
  },
);

export const http2Step = step<Env>(
  {
    id: 'http2',
    section: 'http2',
    title: 'HTTP/2: ALPN picks h2 inside TLS; many streams share one connection',
  },
  async (t, { cert }) => {
    const server = await startH2Tls(cert);
    t.defer(() => server.close());
    const session = await connect(server.url, { ca: cert.cert });
    t.defer(() => closeSession(session));
    const socket = session.socket as tls.TLSSocket;
    t.show('TLS', `${socket.getProtocol()}, ALPN offered h2 → chosen ${session.alpnProtocol}`);
    const n = 20;
    const replies = await Promise.all(Array.from({ length: n }, (_, i) => get(session, `/r/${i}`)));
    const ids = replies.map((r) => (JSON.parse(r.body) as { stream: number }).stream);
    t.show('stream ids', ids.join(' '));
    t.equal('ALPN negotiated h2', session.alpnProtocol, 'h2');
    t.equal(
      `${n} concurrent requests: 1 TCP connection, 1 session, ${n} streams (server counts)`,
      { ...server.counts },
      { connections: 1, sessions: 1, streams: n, http1: 0 },
    );
    t.check(
      'client streams have distinct odd ids (RFC 9113 §5.1.1)',
      new Set(ids).size === n && ids.every((id) => id % 2 === 1),
      ids.join(','),
    );
    const http1 = await new Promise<string>((resolve, reject) => {
      https
        .get(`${server.url}/`, { ca: cert.cert, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(`${res.httpVersion} ${res.statusCode}`));
        })
        .on('error', reject);
    });
    t.equal(
      'an https client that sends no ALPN (node:https) got HTTP/1.1 on the same port',
      [http1, server.counts.http1],
      ['1.1 200', 1],
    );
  },
);

export const framingStep = step<Env>(
  {
    id: 'h2c-framing-hpack',
    section: 'binary-framing-and-hpack',
    title: 'HTTP/2 without TLS (h2c): the preface, binary frames, HPACK',
  },
  async (t) => {
    const server = await startH2c();
    t.defer(() => server.close());
    const relay = await startRelay(server.port);
    t.defer(() => relay.close());
    const session = await connect(`http://127.0.0.1:${relay.port}`);
    t.defer(() => closeSession(session));
    await new Promise<void>((resolve, reject) =>
      session.ping((err) => (err ? reject(err) : resolve())),
    );
    const headers = { 'x-trace-context': 'a'.repeat(300), 'user-agent': 'wirenotes' };
    const b0 = relay.bytesUp();
    await get(session, '/first', headers);
    const b1 = relay.bytesUp();
    await get(session, '/first', headers);
    const b2 = relay.bytesUp();
    const up = Buffer.concat(relay.up);
    const preface = up.subarray(0, 24).toString('latin1');
    t.show('first bytes', JSON.stringify(preface));
    t.table(
      ['frame (client → server)', 'length', 'stream'],
      frames(up.subarray(24)).map((f) => [f.type, f.length, f.stream]),
    );
    t.table(
      ['request with a 300-byte header', 'bytes client → server'],
      [
        ['first', b1 - b0],
        ['second, same headers', b2 - b1],
      ],
    );
    t.equal(
      'cleartext TCP carried HTTP/2: the connection starts with the h2 preface, no TLS',
      [preface, server.counts.sessions],
      ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 1],
    );
    t.equal(
      'the first frame after the preface is SETTINGS on stream 0 (binary, RFC 9113 §3.4)',
      frames(up.subarray(24))[0]?.type,
      'SETTINGS',
    );
    t.check(
      'HPACK: the repeated request cost under a quarter of the first (headers now indexed)',
      b2 - b1 < (b1 - b0) / 4,
      `${b1 - b0} then ${b2 - b1} bytes`,
    );
  },
);

export const serverPushStep = step<Env>(
  {
    id: 'server-push',
    section: 'server-push',
    title: 'Server push: a client can refuse it, and browsers now do',
  },
  async (t) => {
    const server = await startH2c();
    t.defer(() => server.close());
    const pushes = async (enablePush: boolean) => {
      const session = await connect(server.url, { settings: { enablePush } });
      let pushed = 0;
      session.on('stream', (stream) => {
        pushed++;
        stream.resume();
      });
      await get(session, '/push');
      await new Promise<void>((resolve, reject) =>
        session.ping((err) => (err ? reject(err) : resolve())),
      );
      await closeSession(session);
      return pushed;
    };
    const allowed = await pushes(true);
    const refused = await pushes(false);
    t.table(
      ['client SETTINGS_ENABLE_PUSH', 'server saw pushAllowed', 'pushed streams received'],
      [
        ['1 (Node default)', server.pushAllowed[0], allowed],
        ['0 (a client refusing push)', server.pushAllowed[1], refused],
      ],
    );
    t.equal(
      'with push enabled the server pushed one stream; with ENABLE_PUSH=0 it could not',
      [server.pushAllowed, allowed, refused],
      [[true, false], 1, 0],
    );
  },
);

/** TLS 1.0-1.1 only, at OpenSSL security level 0 (which still permits them). */
const LEGACY_TLS = {
  minVersion: 'TLSv1',
  maxVersion: 'TLSv1.1',
  ciphers: 'DEFAULT@SECLEVEL=0',
} as const satisfies tls.SecureContextOptions;

export const h2TlsMinimumStep = step<Env>(
  {
    id: 'h2-tls-minimum',
    section: 'http2',
    title: 'HTTP/2 over TLS needs TLS 1.2: who enforces it',
  },
  async (t, { cert }) => {
    const strict = await startH2Tls(cert);
    t.defer(() => strict.close());
    const refused = await h2Hello(strict.port, { ...LEGACY_TLS, ca: cert.cert });
    const lax = await startH2Tls(cert, { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    t.defer(() => lax.close());
    const allowed = await h2Hello(lax.port, { ...LEGACY_TLS, ca: cert.cert });
    const row = (h: typeof allowed) =>
      h.ok
        ? [h.protocol, String(h.alpn), h.firstFrame === 4 ? 'SETTINGS' : String(h.firstFrame)]
        : [`refused: ${h.code}`, '', ''];
    t.table(
      ['node:http2 server', 'client offers', 'TLS', 'ALPN', "server's first frame"],
      [
        ['defaults', 'TLS 1.0-1.1, h2', ...row(refused)],
        ['minVersion TLSv1, SECLEVEL=0', 'TLS 1.0-1.1, h2', ...row(allowed)],
      ],
    );
    t.equal("Node's default TLS minimum is TLSv1.2", tls.DEFAULT_MIN_VERSION, 'TLSv1.2');
    t.equal(
      'with the defaults, a client offering at most TLS 1.1 is refused in the handshake (protocol_version alert)',
      refused.ok ? refused.protocol : refused.code,
      'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    );
    t.equal(
      'configured down to TLS 1.0, node:http2 picks h2 over TLS 1.1 and opens with SETTINGS: RFC 9113 §9.2 is left to the TLS settings',
      allowed.ok ? [allowed.protocol, allowed.alpn, allowed.firstFrame] : allowed.code,
      ['TLSv1.1', 'h2', 4],
    );
  },
);

/** What `--experimental-quic` and `node:quic` do on the running Node, in one line. */
function quicSupport(): string {
  const probe =
    "try { require('node:quic'); console.log('loads') } catch (e) { console.log(e.code) }";
  const r = spawnSync(process.execPath, ['--experimental-quic', '-e', probe], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (/bad option: --experimental-quic/.test(r.stderr)) return 'no --experimental-quic option';
  const loaded = r.stdout.trim();
  const features = (process.features as { quic?: boolean }).quic;
  return loaded === 'loads'
    ? 'node:quic loads behind --experimental-quic'
    : `--experimental-quic accepted, node:quic absent (${loaded}; process.features.quic ${features})`;
}

export const http3Step = step<Env>(
  { id: 'http3-quic', section: 'http3', title: 'HTTP/3 runs over QUIC: what this Node offers' },
  (t) => {
    const measured = quicSupport();
    const expected = expectedFor(quicFact, process.versions.node);
    t.show('node', `${process.version}: ${measured}`);
    t.equal(`on ${expected.when}: ${expected.value}`, measured, expected.value);
  },
);
