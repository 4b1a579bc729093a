// The local httpbin server: node:http with the shared routes, Expect: 100-continue handling,
// CONNECT tunnels to its own loopback test targets only, and counters the demo reads.
// A tunnel to any loopback port would hand whoever reaches the server the machine's databases
// and brokers (MariaDB's greeting answered a CONNECT 127.0.0.1:3306), so the targets are a list:
// the server itself and the servers a step registers with allowTunnel.

import * as http from 'node:http';
import * as net from 'node:net';
import { closeServer as closeListening, listen } from '../kit/net.ts';
import { BODY_LIMIT, newState, type RouteState, send, tooLarge } from './respond.ts';
import { route } from './routes.ts';

export interface Httpbin {
  server: http.Server;
  port: number;
  host: string;
  url: string;
  state: RouteState;
  /** TCP connections accepted so far (keep-alive reuses one; a new connection counts again). */
  connections: number;
  requests: number;
  /** Lets CONNECT tunnel to this loopback port too (a target server a step started). */
  allowTunnel(port: number): void;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function createHttpbin(): Omit<Httpbin, 'port' | 'host' | 'url' | 'close'> {
  const state = newState();
  const server = http.createServer();
  const targets = new Set<number>();
  const bin = {
    server,
    state,
    connections: 0,
    requests: 0,
    allowTunnel: (port: number) => {
      targets.add(port);
    },
  };
  server.once('listening', () => {
    const address = server.address();
    if (address && typeof address === 'object') targets.add(address.port);
  });
  const handle = (req: http.IncomingMessage, res: http.ServerResponse) => {
    bin.requests++;
    route(req, res, state).catch(() => {
      // A handler that throws is the server's fault: 500, without the stack.
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  };
  server.on('connection', () => bin.connections++);
  server.on('request', handle);
  // With this listener, requests carrying Expect: 100-continue come here instead of 'request':
  // the server decides from the head alone whether the client should send the body.
  server.on('checkContinue', (req, res) => {
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT) {
      bin.requests++;
      return tooLarge(res);
    }
    res.writeContinue();
    handle(req, res);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    bin.requests++;
    tunnel(req, client, head, state.tunnels, targets);
  });
  return bin;
}

function tunnel(
  req: http.IncomingMessage,
  client: net.Socket,
  head: Buffer,
  open: Set<net.Socket>,
  targets: Set<number>,
) {
  open.add(client);
  client.once('close', () => {
    open.delete(client);
  });
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(req.url ?? '');
  const reply = (status: number): void => {
    client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Length: 0\r\n\r\n`);
  };
  if (!m) return reply(400);
  if (!LOOPBACK.has(m[1] as string) || !targets.has(Number(m[2]))) return reply(403);
  const upstream = net.connect({
    host: (m[1] as string).replace(/^\[|\]$/g, ''),
    port: Number(m[2]),
  });
  open.add(upstream);
  upstream.once('close', () => {
    open.delete(upstream);
  });
  upstream.once('error', () => {
    if (client.writable) reply(502);
    else client.destroy();
  });
  client.once('error', () => upstream.destroy());
  upstream.once('connect', () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
}

/** Starts the httpbin; port 0 picks a free port. Resolves once it listens. */
export async function startHttpbin(
  options: { port?: number; host?: string } = {},
): Promise<Httpbin> {
  const bin = createHttpbin();
  const host = options.host ?? '127.0.0.1';
  const port = await listen(bin.server, host, options.port ?? 0);
  const shown = host.includes(':') ? `[${host}]` : host;
  return Object.assign(bin, {
    port,
    host,
    url: `http://${shown}:${port}`,
    close: () => closeServer(bin.server, bin.state),
  });
}

/** Stops listening, drops idle and active connections and pending /delay timers. */
function closeServer(server: http.Server, state?: RouteState): Promise<void> {
  for (const t of state?.timers ?? []) clearTimeout(t);
  state?.timers.clear();
  for (const s of state?.tunnels ?? []) s.destroy();
  return closeListening(server);
}
