// HTTP/2 with node:http2: a TLS server that offers h2 and http/1.1 by ALPN, a cleartext (h2c)
// server, and counters.

import * as http2 from 'node:http2';
import type * as net from 'node:net';
import * as tls from 'node:tls';
import type { Credentials } from '../kit/cert.ts';
import { closeServer, listen } from '../kit/net.ts';

interface H2Server {
  port: number;
  url: string;
  /** TCP connections, HTTP/2 sessions and streams the server has seen. */
  counts: { connections: number; sessions: number; streams: number; http1: number };
  /** Whether each stream's client allowed server push (SETTINGS_ENABLE_PUSH). */
  pushAllowed: boolean[];
  close(): Promise<void>;
}

type AnyServer = http2.Http2Server | http2.Http2SecureServer;

async function instrument(server: AnyServer, url: (port: number) => string): Promise<H2Server> {
  const counts = { connections: 0, sessions: 0, streams: 0, http1: 0 };
  const pushAllowed: boolean[] = [];
  const sockets = new Set<net.Socket>();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('connection', (socket: net.Socket) => {
    counts.connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: http2.ServerHttp2Session) => {
    counts.sessions++;
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    counts.streams++;
    pushAllowed.push(stream.pushAllowed);
    const path = String(headers[':path']);
    if (path === '/push' && stream.pushAllowed) {
      stream.pushStream({ ':path': '/pushed.css' }, (err, push) => {
        if (err) return;
        push.respond({ ':status': 200, 'content-type': 'text/css' });
        push.end('body { color: teal }\n');
      });
    }
    const body = path === '/headers' ? { headers } : { path, stream: stream.id };
    stream.respond({ ':status': 200, 'content-type': 'application/json' });
    stream.end(JSON.stringify(body));
  });
  // With allowHTTP1, a client that offers only http/1.1 by ALPN gets the compatibility API.
  server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    if (req.httpVersion !== '1.1') return;
    counts.http1++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ httpVersion: req.httpVersion }));
  });
  const port = await listen(server);
  return {
    port,
    url: url(port),
    counts,
    pushAllowed,
    close: () => {
      const closed = closeServer(server);
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}

/** HTTP/2 over TLS, ALPN offering h2 and http/1.1. */
export function startH2Tls(
  credentials: Credentials,
  options: http2.SecureServerOptions = {},
): Promise<H2Server> {
  const server = http2.createSecureServer({ ...credentials, allowHTTP1: true, ...options });
  // The 'stream' listener answers h2; 'request' fires for both, so h2 requests are skipped there.
  return instrument(server, (port) => `https://127.0.0.1:${port}`);
}

/** HTTP/2 over plain TCP ("h2c" with prior knowledge): no TLS anywhere. */
export function startH2c(): Promise<H2Server> {
  return instrument(http2.createServer(), (port) => `http://127.0.0.1:${port}`);
}

export function connect(
  url: string,
  options: http2.SecureClientSessionOptions = {},
): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, options);
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      resolve(session);
    });
  });
}

interface H2Reply {
  status: number;
  body: string;
  headers: http2.IncomingHttpHeaders;
}

export function get(
  session: http2.ClientHttp2Session,
  path: string,
  headers: http2.OutgoingHttpHeaders = {},
): Promise<H2Reply> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path, ...headers });
    let response: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      response = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () =>
      resolve({
        status: Number(response[':status']),
        body: Buffer.concat(chunks).toString('utf8'),
        headers: response,
      }),
    );
    stream.on('error', reject);
  });
}

export function closeSession(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => session.close(() => resolve()));
}

export type Hello =
  | { ok: true; protocol: string; alpn: string | false; firstFrame: number | undefined }
  | { ok: false; code: string };

/**
 * A TLS handshake offering only h2 by ALPN, then the first frame header the server sends (an
 * HTTP/2 server opens with SETTINGS, type 4, without waiting for the client's preface).
 */
export function h2Hello(port: number, options: tls.ConnectionOptions): Promise<Hello> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], ...options });
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: err.code ?? err.message }),
    );
    socket.once('secureConnect', () => {
      const hello = { protocol: socket.getProtocol() ?? '', alpn: socket.alpnProtocol ?? false };
      const done = (frame?: Buffer) => {
        socket.destroy();
        resolve({
          ok: true,
          ...hello,
          firstFrame: frame && frame.length >= 4 ? frame[3] : undefined,
        });
      };
      socket.once('data', done);
      socket.once('close', () => done());
    });
  });
}
