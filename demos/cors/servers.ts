// The two servers of the demo, both on 127.0.0.1, port 0, recording every request they receive:
// the page server (origin A: it serves an empty HTML page for any host name, so Chromium can open
// pages on several origins) and the API server (origin B), whose CORS answers follow a per-case
// policy chosen by the path /c/<case id>/<unique suffix>.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Credentials } from '../kit/cert.ts';
import { closeServer, listen } from '../kit/net.ts';

export interface Logged {
  method: string;
  path: string;
  /** Header names lower-case, as Node parsed them. */
  headers: Record<string, string>;
  /** performance.now() when the request arrived. */
  at: number;
  /** What the server answered: the status and the header fields (names lower-case). */
  response?: { status: number; headers: Record<string, string> };
}

/** A CORS policy, in the spirit of the `cors` middleware options, plus deliberate mistakes. */
export interface Policy {
  /** Who gets Access-Control-Allow-Origin: nobody, `*`, the request's Origin echoed back, an
   *  allowlist of exact origins, or a regular expression tested against the Origin. */
  origin: 'none' | '*' | 'reflect' | string[] | RegExp;
  credentials?: boolean;
  /** Access-Control-Allow-Methods / -Headers / -Expose-Headers / -Max-Age, sent as written. */
  methods?: string;
  allowHeaders?: string;
  expose?: string;
  maxAge?: number;
  /** Send `Vary: Origin` when the answer depends on the Origin. */
  vary?: boolean;
  /** Status of the preflight answer (204 unless set); a 3xx also sends a Location. */
  preflightStatus?: number;
  /** Headers of the real (non-preflight) response. */
  responseHeaders?: Record<string, string>;
}

export interface RecordingServer {
  server: Server;
  port: number;
  log: Logged[];
  /** The requests for one path, in arrival order. */
  requestsFor(path: string): Logged[];
  close(): Promise<void>;
}

function record(log: Logged[], req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const entry: Logged = {
    method: req.method ?? '',
    path: req.url ?? '',
    headers,
    at: performance.now(),
  };
  log.push(entry);
  // Every handler here answers with writeHead(status, headers): keep what it sent.
  const writeHead = res.writeHead.bind(res) as (
    status: number,
    h?: Record<string, string>,
  ) => ServerResponse;
  res.writeHead = ((status: number, h?: Record<string, string>) => {
    const sent = Object.fromEntries(
      Object.entries(h ?? {}).map(([n, v]) => [n.toLowerCase(), String(v)]),
    );
    entry.response = { status, headers: sent };
    return writeHead(status, h);
  }) as typeof res.writeHead;
}

async function startRecording(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  tls?: Credentials,
): Promise<RecordingServer> {
  const log: Logged[] = [];
  const recorded = (req: IncomingMessage, res: ServerResponse) => {
    record(log, req, res);
    req.resume();
    req.once('end', () => handler(req, res));
  };
  const server: Server = tls ? createTlsServer(tls, recorded) : createServer(recorded);
  server.keepAliveTimeout = 500;
  return {
    server,
    port: await listen(server),
    log,
    requestsFor: (path) => log.filter((l) => l.path === path),
    close: () => closeServer(server),
  };
}

/** Origin A: an empty page for any host, and same-origin data at /same/data (no CORS headers).
 * With `tls`, the same pages over https (the mixed-content step's page). */
export function startPageServer(tls?: Credentials): Promise<RecordingServer> {
  return startRecording((req, res) => {
    if (req.url?.startsWith('/same/')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('same-origin data');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end('<!doctype html><meta charset="utf-8"><title>cors demo page</title>');
  }, tls);
}

export interface ApiServer extends RecordingServer {
  /** Sets the policy for paths under /c/<id>/. */
  policy(id: string, policy: Policy): void;
}

/** The value of Access-Control-Allow-Origin this policy gives an Origin, if any. */
function allowedOrigin(policy: Policy, origin: string | undefined): string | undefined {
  const o = policy.origin;
  if (o === 'none') return undefined;
  if (o === '*') return '*';
  if (origin === undefined) return undefined;
  if (o === 'reflect') return origin;
  if (Array.isArray(o)) return o.includes(origin) ? origin : undefined;
  return o.test(origin) ? origin : undefined;
}

/** A transparent 1×1 GIF. */
const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Origin B: answers /c/<id>/… by the policy registered for <id>, and /login with a cookie. */
export async function startApiServer(): Promise<ApiServer> {
  const policies = new Map<string, Policy>();
  const rec = await startRecording((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/login')) {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'set-cookie': `sid=${new URL(url, 'http://x').searchParams.get('user') ?? 'alice'}; Path=/; HttpOnly; SameSite=Lax`,
      });
      res.end('logged in');
      return;
    }
    if (url.startsWith('/img/')) {
      // An image with no CORS header at all: what <img> embeds from any origin.
      res.writeHead(200, { 'content-type': 'image/gif', 'content-length': String(GIF.length) });
      res.end(GIF);
      return;
    }
    const id = /^\/c\/([^/]+)\//.exec(url)?.[1];
    const policy = id === undefined ? undefined : policies.get(id);
    if (!policy) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such case');
      return;
    }
    const headers: Record<string, string> = {};
    const acao = allowedOrigin(policy, req.headers.origin);
    if (acao !== undefined) headers['access-control-allow-origin'] = acao;
    if (policy.credentials && acao !== undefined)
      headers['access-control-allow-credentials'] = 'true';
    if (policy.vary) headers.vary = 'Origin';
    const preflight =
      req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (preflight) {
      if (policy.methods !== undefined) headers['access-control-allow-methods'] = policy.methods;
      if (policy.allowHeaders !== undefined)
        headers['access-control-allow-headers'] = policy.allowHeaders;
      if (policy.maxAge !== undefined) headers['access-control-max-age'] = String(policy.maxAge);
      const status = policy.preflightStatus ?? 204;
      if (status >= 300 && status < 400) headers.location = `${url}?after-redirect`;
      headers['content-length'] = '0';
      res.writeHead(status, headers);
      res.end();
      return;
    }
    if (policy.expose !== undefined) headers['access-control-expose-headers'] = policy.expose;
    Object.assign(headers, policy.responseHeaders ?? {});
    headers['content-type'] ??= 'text/plain';
    const who = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : `${id} data for ${who ?? 'anonymous'}`);
  });
  return { ...rec, policy: (id, p) => policies.set(id, p) };
}
