// A TCP relay between a client and a server that keeps every byte in order, so a step can read
// the handshake as a passive observer would: record types, flights, what is in cleartext.

import { connect, createServer, type Socket } from 'node:net';
import { closeServer, listen } from '../kit/net.ts';
import { splitRecords, type TlsRecord } from './wire.ts';

type Direction = 'client→server' | 'server→client';

export interface Flight {
  direction: Direction;
  records: TlsRecord[];
}

export interface Relay {
  port: number;
  /** The relay's own port toward the server: what the server sees as the client's port. */
  upstreamPort(): number;
  /** Raw bytes seen in one direction so far. */
  bytes(direction: Direction): Buffer;
  /** Consecutive records in one direction, grouped; a flight ends when the other side speaks. */
  flights(): Flight[];
  close(): Promise<void>;
}

export async function startRelay(targetPort: number): Promise<Relay> {
  const streams: Record<Direction, Buffer[]> = { 'client→server': [], 'server→client': [] };
  const pending: Record<Direction, Buffer> = {
    'client→server': Buffer.alloc(0),
    'server→client': Buffer.alloc(0),
  };
  const flights: Flight[] = [];
  const sockets = new Set<Socket>();
  let upstreamPort = 0;
  const record = (direction: Direction, chunk: Buffer) => {
    streams[direction].push(chunk);
    const { records, rest } = splitRecords(Buffer.concat([pending[direction], chunk]));
    pending[direction] = rest;
    if (!records.length) return;
    const last = flights.at(-1);
    if (last?.direction === direction) last.records.push(...records);
    else flights.push({ direction, records });
  };
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort }, () => {
      upstreamPort = upstream.localPort ?? 0;
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      record('client→server', chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      record('server→client', chunk);
      client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  return {
    port: await listen(server),
    upstreamPort: () => upstreamPort,
    bytes: (direction) => Buffer.concat(streams[direction]),
    flights: () => flights.map((f) => ({ ...f, records: [...f.records] })),
    close: async () => {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}
