// A handshake watched from the wire: the client connects through a relay that keeps every byte,
// so a step reads what a passive observer reads (the ClientHellos, the server's cleartext key
// exchange, the flights and which of them are encrypted) next to what Node's API reports.

import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { Message, SequenceFigure } from '../kit/figures.ts';
import { type HandshakeFacts, handshake } from './client.ts';
import { type Flight, type Relay, startRelay } from './relay.ts';
import {
  type ClientHello,
  HANDSHAKE_TYPES,
  handshakeTypes,
  NotAClientHello,
  parseClientHello,
  readServerKeyExchange,
  type ServerKeyExchange,
  type TlsRecord,
} from './wire.ts';

export interface Observed {
  facts: HandshakeFacts;
  /** getEphemeralKeyInfo() on the client, exactly as Node returned it. */
  keyInfo: unknown;
  flights: Flight[];
  /** Every ClientHello the client sent: two after a HelloRetryRequest. */
  hellos: ClientHello[];
  /** The key exchange as the server's first flight states it in clear. */
  server: ServerKeyExchange;
  /** Server flights the client had received when it could first send application data. */
  serverFlightsBeforeSecure: number;
  /** Every byte the server sent. */
  fromServer: Buffer;
}

/** Connects to `port` through a relay; `whileOpen` and `onSocket` as for handshake(). */
export async function observe(
  port: number,
  options: ConnectionOptions,
  whileOpen?: (relay: Relay) => Promise<void>,
  onSocket?: (socket: TLSSocket) => void,
): Promise<Observed> {
  const relay = await startRelay(port);
  try {
    let serverFlights = 0;
    let keyInfo: unknown;
    const facts = await handshake(
      { ...options, port: relay.port },
      async (_f, socket) => {
        // The moment the client may send application data: how many server flights it needed.
        serverFlights = relay.flights().filter((f) => f.direction === 'server→client').length;
        keyInfo = socket.getEphemeralKeyInfo();
        await whileOpen?.(relay);
      },
      onSocket,
    );
    const flights = relay.flights();
    const firstServer = flights.find((f) => f.direction === 'server→client');
    return {
      facts,
      keyInfo,
      flights,
      hellos: flights
        .filter((f) => f.direction === 'client→server')
        .flatMap((f) => f.records.flatMap(clientHelloIn)),
      server: readServerKeyExchange(firstServer?.records ?? []),
      serverFlightsBeforeSecure: serverFlights,
      fromServer: relay.bytes('server→client'),
    };
  } finally {
    await relay.close();
  }
}

function clientHelloIn(r: TlsRecord): ClientHello[] {
  if (r.type !== 22 || r.body[0] !== 1) return [];
  const header = Buffer.from([22, 3, 1, r.length >> 8, r.length & 0xff]);
  try {
    return [parseClientHello(Buffer.concat([header, r.body]))];
  } catch (err) {
    if (err instanceof NotAClientHello) return [];
    throw err;
  }
}

/** The key shares of a ClientHello as a reader says them: "x25519 (32 bytes)". */
export function sharesText(hello: ClientHello | undefined): string {
  return (hello?.keyShares ?? []).map((k) => `${k.group} (${k.key.length} bytes)`).join(', ');
}

/**
 * The flights as a sequence figure, each run of records marked clear or encrypted. TLS 1.3
 * encrypts everything after ServerHello inside records of outer type application_data (RFC 8446
 * §5.2), so the names of the messages inside are not on the wire; TLS 1.2 encrypts what follows
 * each side's ChangeCipherSpec.
 */
export function flightsFigure(o: Observed, title: string): SequenceFigure {
  const tls13 = o.facts.protocol === 'TLSv1.3';
  const afterCcs = { client: false, server: false };
  const messages: Message[] = [];
  let serverFlight = 0;
  for (const flight of o.flights) {
    const from = flight.direction === 'client→server' ? 'client' : 'server';
    const to = from === 'client' ? 'server' : 'client';
    if (from === 'server') serverFlight += 1;
    const push = (label: string, secrecy: Message['secrecy'], note?: string) =>
      messages.push({ from, to, label, secrecy, ...(note ? { note } : {}) });
    // In TLS 1.3 the encrypted run after a real ServerHello holds the rest of the server's
    // handshake; the wire shows only its size, so the names come from RFC 8446 §2.
    let afterServerHello = false;
    let encrypted: TlsRecord[] = [];
    const flush = () => {
      if (!encrypted.length) return;
      const n = encrypted.length;
      const note =
        tls13 && afterServerHello
          ? 'EncryptedExtensions, Certificate, CertificateVerify, Finished (RFC 8446 §2)'
          : undefined;
      push(`${n} encrypted record${n > 1 ? 's' : ''}`, 'encrypted', note);
      afterServerHello = false;
      encrypted = [];
    };
    for (const r of flight.records) {
      const secret = tls13 ? r.type === 23 : afterCcs[from] && r.type !== 20;
      if (secret) {
        encrypted.push(r);
        continue;
      }
      flush();
      if (r.type === 20) {
        afterCcs[from] = true;
        push('ChangeCipherSpec', 'clear');
      } else if (r.type === 22) {
        for (const name of handshakeTypes([r])) {
          const hrr = name === HANDSHAKE_TYPES[2] && o.server.helloRetry && serverFlight === 1;
          if (name === HANDSHAKE_TYPES[2] && !hrr) afterServerHello = true;
          push(hrr ? 'HelloRetryRequest' : name, 'clear');
        }
      } else push(r.type === 21 ? 'alert' : `record type ${r.type}`, 'clear');
    }
    flush();
  }
  return { kind: 'sequence', title, parties: ['client', 'server'], messages };
}
