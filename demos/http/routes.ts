// The route handlers of the local httpbin. The demo's steps and `npx tsx demos/http serve` both
// use them, so what the transcript shows is what a curl user gets.

import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { items } from './items.ts';
import { BODY_LIMIT, type Headers, type RouteState, readBody, send } from './respond.ts';

/** Methods this server implements; any other method the parser accepts gets 501. */
const IMPLEMENTED = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'];
export const MAX_DELAY_MS = 10_000;
export const RATE_LIMIT = { requests: 3, windowMs: 60_000 };
/** Basic-auth users for /admin: alice is an administrator, bob is not. */
const USERS: Record<string, { password: string; admin: boolean }> = {
  alice: { password: 'wonderland', admin: true },
  bob: { password: 'builder', admin: false },
};

export const ROUTES: [string, string][] = [
  ['/anything[/…]', 'echo method, URL, headers and body as JSON (any method)'],
  ['/headers', 'the request header lines as received, in order'],
  ['/status/{code}', 'that status, 100-599 (3xx with Location, 401 with WWW-Authenticate)'],
  ['/redirect/{n}', 'n 302 hops, then /anything'],
  ['/delay/{ms}', `answer after ms milliseconds (at most ${MAX_DELAY_MS})`],
  ['/etag/{tag}', 'ETag "tag"; If-None-Match → 304, If-Match mismatch → 412'],
  ['/methods', 'GET and HEAD only; OPTIONS lists them; anything else 405 + Allow'],
  ['/basic-auth/{user}/{pass}', '401 + WWW-Authenticate until those credentials are sent'],
  ['/admin', 'no credentials 401, bob:builder 403, alice:wonderland 200'],
  ['/early-hints', '103 Early Hints with a Link header, then 200'],
  ['/continue', `POST/PUT up to ${BODY_LIMIT} bytes; Expect: 100-continue, else 413`],
  ['/items[/{id}]', 'a collection: POST creates, PUT replaces, PATCH (JSON Patch), DELETE'],
  ['/limited', `${RATE_LIMIT.requests} requests a minute per X-Client-Id, then 429 + Retry-After`],
  ['/crash', 'the handler throws: 500'],
  ['TRACE any path', 'the request echoed as message/http, minus Authorization and Cookie'],
  ['CONNECT host:port', 'a tunnel to this server itself on a loopback address; else 403'],
];

function redirectTarget(code: number): Headers {
  return code >= 300 && code < 400 && code !== 304 ? { Location: '/anything' } : {};
}

/** Headers /status/{code} adds so the response is a well-formed example of its code. */
function statusHeaders(code: number): Headers {
  const extra: Record<number, Headers> = {
    401: { 'WWW-Authenticate': 'Basic realm="wirenotes"' },
    405: { Allow: 'GET, HEAD' },
    407: { 'Proxy-Authenticate': 'Basic realm="wirenotes"' },
    429: { 'Retry-After': '60' },
    503: { 'Retry-After': '30' },
  };
  return { ...redirectTarget(code), ...(extra[code] ?? {}) };
}

function status(req: IncomingMessage, res: ServerResponse, raw: string) {
  const code = Number(raw);
  if (!/^\d{3}$/.test(raw) || code < 100 || code > 599) {
    return send(res, 400, { error: 'status must be a number from 100 to 599' });
  }
  if (code === 101) return send(res, 400, { error: '101 needs a real Upgrade handshake' });
  if (code < 200) {
    // A 1xx is never final: send it, then a 200. HTTP/1.0 clients must not get one (§15.2).
    if (req.httpVersion !== '1.0') {
      if (code === 100) res.writeContinue();
      else res.socket?.write(`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Informational'}\r\n\r\n`);
    }
    return send(res, 200, { interim: code });
  }
  send(res, code, `${code} ${STATUS_CODES[code] ?? ''}\n`, statusHeaders(code));
}

function etag(req: IncomingMessage, res: ServerResponse, tag: string) {
  const value = `"${tag}"`;
  const list = (h: string | undefined) => (h ?? '').split(',').map((t) => t.trim());
  const weak = (t: string) => t.replace(/^W\//, '');
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && list(inm).some((t) => t === '*' || weak(t) === value)) {
    return send(res, 304, undefined, { ETag: value });
  }
  const im = req.headers['if-match'];
  if (im !== undefined && !list(im).some((t) => t === '*' || t === value)) {
    return send(res, 412, { error: `If-Match ${im} does not match ${value}` }, { ETag: value });
  }
  send(res, 200, { etag: value }, { ETag: value });
}

function credentials(req: IncomingMessage): [string, string] | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

const CHALLENGE = { 'WWW-Authenticate': 'Basic realm="wirenotes", charset="UTF-8"' };

function admin(req: IncomingMessage, res: ServerResponse) {
  const [user, pass] = credentials(req) ?? [];
  const known = user !== undefined ? USERS[user] : undefined;
  if (!known || known.password !== pass)
    return send(res, 401, { error: 'who are you?' }, CHALLENGE);
  if (!known.admin) return send(res, 403, { error: `${user} may not administer` });
  send(res, 200, { admin: user });
}

function limited(req: IncomingMessage, res: ServerResponse, state: RouteState) {
  const key = String(req.headers['x-client-id'] ?? req.socket.remoteAddress);
  const now = Date.now();
  const recent = (state.hits.get(key) ?? []).filter((t) => now - t < RATE_LIMIT.windowMs);
  if (recent.length >= RATE_LIMIT.requests) {
    const wait = Math.ceil(((recent[0] as number) + RATE_LIMIT.windowMs - now) / 1000);
    state.hits.set(key, recent);
    return send(res, 429, { error: 'too many requests' }, { 'Retry-After': String(wait) });
  }
  recent.push(now);
  state.hits.set(key, recent);
  send(res, 200, { remaining: RATE_LIMIT.requests - recent.length });
}

/** RFC 9110 §9.3.8: echo the request as received, minus fields likely to carry secrets. */
function trace(req: IncomingMessage, res: ServerResponse): void {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (/^(authorization|cookie|proxy-authorization)$/i.test(name)) continue;
    lines.push(`${name}: ${req.rawHeaders[i + 1]}`);
  }
  const text = `${lines.join('\r\n')}\r\n\r\n`;
  res.writeHead(200, {
    'Content-Type': 'message/http',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function methods(req: IncomingMessage, res: ServerResponse) {
  const allow = 'GET, HEAD, OPTIONS';
  if (req.method === 'OPTIONS') return send(res, 204, undefined, { Allow: allow });
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(res, 405, { error: `${req.method} is not allowed here` }, { Allow: allow });
  }
  send(res, 200, { method: req.method });
}

export async function route(
  req: IncomingMessage,
  res: ServerResponse,
  state: RouteState,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (!IMPLEMENTED.includes(method)) {
    return send(res, 501, { error: `${method} is not implemented by this server` });
  }
  if (method === 'TRACE') return trace(req, res);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first = '', second, third] = parts;
  switch (first) {
    case '':
      return send(res, 200, `${ROUTES.map(([p, what]) => `${p.padEnd(28)}${what}`).join('\n')}\n`);
    case 'anything': {
      const body = await readBody(req, res);
      if (body === undefined) return;
      const headers = Object.fromEntries(Object.entries(req.headers));
      return send(res, 200, { method, url: req.url, headers, body });
    }
    case 'headers': {
      const lines: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      return send(res, 200, { headers: lines });
    }
    case 'status':
      return status(req, res, second ?? '');
    case 'redirect': {
      const n = Number(second);
      if (!Number.isInteger(n) || n < 1 || n > 20) return send(res, 400, { error: 'n: 1 to 20' });
      const next = n === 1 ? '/anything' : `/redirect/${n - 1}`;
      return send(res, 302, `redirecting to ${next}\n`, { Location: next });
    }
    case 'delay': {
      const ms = Number(second);
      if (!/^\d+$/.test(second ?? '') || ms > MAX_DELAY_MS) {
        return send(res, 400, { error: `delay: 0 to ${MAX_DELAY_MS} ms` });
      }
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        send(res, 200, { delayed: ms });
      }, ms);
      state.timers.add(timer);
      res.once('close', () => {
        clearTimeout(timer);
        state.timers.delete(timer);
      });
      return;
    }
    case 'etag':
      return etag(req, res, second ?? '');
    case 'methods':
      return methods(req, res);
    case 'basic-auth': {
      const given = credentials(req);
      if (!given || given[0] !== second || given[1] !== third) {
        return send(res, 401, { authenticated: false }, CHALLENGE);
      }
      return send(res, 200, { authenticated: true, user: second });
    }
    case 'admin':
      return admin(req, res);
    case 'early-hints':
      // Node would send the 103 to an HTTP/1.0 client too; RFC 9110 §15.2 forbids that.
      if (req.httpVersion !== '1.0') res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      return send(res, 200, '<!doctype html><link rel="stylesheet" href="/style.css">\n', {
        'Content-Type': 'text/html',
      });
    case 'continue': {
      if (method !== 'POST' && method !== 'PUT') {
        return send(res, 405, { error: 'send a body with POST or PUT' }, { Allow: 'POST, PUT' });
      }
      const body = await readBody(req, res);
      if (body !== undefined) send(res, 200, { received: Buffer.byteLength(body) });
      return;
    }
    case 'items':
      return items(req, res, state, second);
    case 'limited':
      return limited(req, res, state);
    case 'crash':
      throw new Error('the handler failed');
    default:
      return send(res, 404, { error: `no route for ${url.pathname}` });
  }
}
