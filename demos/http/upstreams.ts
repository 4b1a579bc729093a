// Upstreams to put behind nginx: one that answers garbage, one that hangs up before answering,
// one that hangs up mid-body, one too slow for proxy_read_timeout, and a healthy one. Each counts
// the connections nginx opened.

import * as net from 'node:net';
import { closeServer, listen } from '../kit/net.ts';
import { Tap } from './wire.ts';

export type UpstreamKind = 'garbage' | 'closes' | 'truncates' | 'slow' | 'healthy';

export interface Upstream {
  kind: UpstreamKind;
  port: number;
  /** Connections accepted: proof that nginx really reached this upstream. */
  connections: number;
  /** The request head nginx forwarded, as received (first connection). */
  firstRequest: string;
  /** What crossed the upstream's sockets: `<` what nginx sent it, `>` its answers. */
  tap: Tap;
  close(): Promise<void>;
}

/** How long the slow upstream takes: well past the 1 s proxy_read_timeout of /timeout/. */
const SLOW_MS = 5_000;

export async function startUpstream(kind: UpstreamKind): Promise<Upstream> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const up = { kind, connections: 0, firstRequest: '', tap: new Tap() };
  const server = net.createServer((socket) => {
    up.connections++;
    up.tap.attach(socket);
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => sockets.delete(socket));
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      if (head.includes('\r\n\r\n')) return;
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (!up.firstRequest) up.firstRequest = head.slice(0, head.indexOf('\r\n\r\n'));
      answer(kind, socket, timers);
    });
  });
  const port = await listen(server);
  return Object.assign(up, {
    port,
    close: () => {
      for (const t of timers) clearTimeout(t);
      const closed = closeServer(server);
      for (const s of sockets) s.destroy();
      return closed;
    },
  });
}

/** Writes then ends: write() is what the tap records (end(data) bypasses it). */
function reply(socket: net.Socket, text: string): void {
  socket.write(text);
  socket.end();
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nupstream\n';

function answer(kind: UpstreamKind, socket: net.Socket, timers: Set<NodeJS.Timeout>): void {
  switch (kind) {
    case 'garbage':
      // A status line, then a header line with no colon. (Bytes with no status line at all are
      // a different story: nginx 1.22 relays them as an HTTP/0.9 body.)
      reply(socket, 'HTTP/1.1 200 OK\r\nthis line is not a header\r\n\r\n');
      return;
    case 'closes':
      // Read the request, then hang up without a byte of response (a crash, an OOM kill).
      socket.destroy();
      return;
    case 'truncates':
      // The head promises 100 bytes; the process dies after 10.
      reply(socket, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nfirst 10 b');
      return;
    case 'slow': {
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply(socket, OK);
      }, SLOW_MS);
      timers.add(timer);
      // nginx gives up first and closes its side: stop the timer with it.
      socket.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
      });
      return;
    }
    case 'healthy':
      reply(socket, OK);
  }
}
