// Answers and bodies for the httpbin's handlers: the state they share, `send` (a body with the
// right Content-Length, or none where the status forbids one) and a size-limited body reader.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const BODY_LIMIT = 1024 * 1024;

export interface RouteState {
  items: Map<string, Record<string, unknown>>;
  nextId: number;
  hits: Map<string, number[]>;
  /** Pending /delay timers, cleared when the server closes. */
  timers: Set<NodeJS.Timeout>;
  /** Sockets handed over to CONNECT tunnels, which the HTTP server no longer tracks. */
  tunnels: Set<Socket>;
}

export function newState(): RouteState {
  return { items: new Map(), nextId: 1, hits: new Map(), timers: new Set(), tunnels: new Set() };
}

export type Headers = Record<string, string | string[]>;

export function send(res: ServerResponse, status: number, body?: unknown, headers: Headers = {}) {
  const noBody = status < 200 || status === 204 || status === 205 || status === 304;
  if (noBody || body === undefined) {
    res.writeHead(status, noBody ? headers : { 'Content-Length': '0', ...headers });
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    // Explicit, so a HEAD response carries the same Content-Length as the GET would (§9.3.2).
    'Content-Length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Reads the request body, up to BODY_LIMIT bytes; undefined when it is larger (413 sent). */
export async function readBody(req: IncomingMessage, res: ServerResponse) {
  if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) {
    tooLarge(res);
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) {
      tooLarge(res);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function tooLarge(res: ServerResponse): void {
  // The body is not read, so the connection cannot carry another request.
  send(res, 413, { error: `body larger than ${BODY_LIMIT} bytes` }, { Connection: 'close' });
}
