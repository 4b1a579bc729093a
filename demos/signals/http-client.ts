// A keep-alive HTTP/1.1 client on one raw socket: the steps need to hold a connection idle, send
// a request on it at a moment of their choosing, and see exactly when the server closes it.

import { connect, type Socket } from 'node:net';

export type Outcome =
  | { status: number; body: string; headers: Record<string, string> }
  | { error: string };

export interface Connection {
  /** One GET on this connection; resolves with the response or the socket's error. */
  get(path: string): Promise<Outcome>;
  /** Resolves when the server (or we) closed the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
  end(): void;
}

export function open(port: number): Promise<Connection | { error: string }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let buffer = '';
    let closedFlag = false;
    let pending: ((o: Outcome) => void) | undefined;
    const closed = new Promise<void>((r) =>
      socket.once('close', () => {
        closedFlag = true;
        pending?.({ error: lastError ?? 'closed, no response' });
        r();
      }),
    );
    let lastError: string | undefined;
    socket.on('error', (err: NodeJS.ErrnoException) => {
      lastError = err.code ?? err.message;
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      const head = buffer.indexOf('\r\n\r\n');
      if (head < 0 || !pending) return;
      const length = Number(/content-length:\s*(\d+)/i.exec(buffer.slice(0, head))?.[1] ?? 0);
      if (buffer.length < head + 4 + length) return;
      const status = Number(buffer.slice(9, 12));
      const body = buffer.slice(head + 4, head + 4 + length);
      const headers = Object.fromEntries(
        buffer
          .slice(0, head)
          .split('\r\n')
          .slice(1)
          .map((l) => [
            l.slice(0, l.indexOf(':')).toLowerCase(),
            l.slice(l.indexOf(':') + 1).trim(),
          ]),
      );
      buffer = buffer.slice(head + 4 + length);
      const done = pending;
      pending = undefined;
      done({ status, body, headers });
    });
    let connected = false;
    socket.once('connect', () => {
      connected = true;
      resolve({
        get: (path) =>
          new Promise((r) => {
            pending = r;
            socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
          }),
        closed,
        isClosed: () => closedFlag,
        end: () => socket.end(),
      });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (!connected) resolve({ error: err.code ?? err.message });
    });
  });
}

/** One request on a connection of its own. */
export async function getOnce(port: number, path: string): Promise<Outcome> {
  const c = await open(port);
  if ('error' in c) return c;
  const o = await c.get(path);
  c.end();
  return o;
}

/** The outcome as a table cell: "200", or the error code. */
export function describeOutcome(o: Outcome): string {
  return 'status' in o ? String(o.status) : o.error;
}
