// A TCP relay between a client and a server that counts and keeps the bytes in each direction:
// a way to see what a client library writes when it gives its socket no hooks (HTTP/2 does not).

import * as net from 'node:net';
import { closeServer, listen } from '../kit/net.ts';

export interface Relay {
  port: number;
  /** Bytes client → server and server → client, as they crossed the relay. */
  up: Buffer[];
  down: Buffer[];
  connections: number;
  bytesUp(): number;
  close(): Promise<void>;
}

export async function startRelay(targetPort: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    return s;
  };
  const relay = {
    up: [] as Buffer[],
    down: [] as Buffer[],
    connections: 0,
    bytesUp: () => relay.up.reduce((n, b) => n + b.length, 0),
  };
  const server = net.createServer((client) => {
    relay.connections++;
    track(client);
    const upstream = track(net.connect({ host: '127.0.0.1', port: targetPort }));
    client.on('data', (c: Buffer) => {
      relay.up.push(c);
      upstream.write(c);
    });
    upstream.on('data', (c: Buffer) => {
      relay.down.push(c);
      client.write(c);
    });
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const port = await listen(server);
  return Object.assign(relay, {
    port,
    close: () => {
      const closed = closeServer(server);
      for (const s of sockets) s.destroy();
      return closed;
    },
  });
}
