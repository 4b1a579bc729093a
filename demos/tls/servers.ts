// The demo's TLS server: one port, certificates chosen by SNI, and a front door that reads the
// ClientHello off the raw TCP socket before handing the socket to the TLS server.

import { EventEmitter, once } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import {
  createSecureContext,
  createServer,
  type SecureContext,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls';
import { closeServer, listen } from '../kit/net.ts';
import { fullChain, type Issued, type Pki } from './pki.ts';
import { type ClientHello, firstRecordLength, NotAClientHello, parseClientHello } from './wire.ts';

/** What the server saw on one connection, keyed by the client's port. */
export interface ServerView {
  remotePort: number;
  /** The SNI the server received (false: none). */
  servername: string | false;
  /** The certificate SNICallback chose ("default" when it was not called). */
  chose: string;
  protocol: string | null;
  cipher: string;
  alpn: string | false;
  /** getEphemeralKeyInfo() on the server side. */
  ephemeralKeyInfo: unknown;
}

export interface SniServer {
  port: number;
  /** SNI name → certificate; also holds the deliberately broken ones. */
  names: Map<string, Issued>;
  /** The servername lines the server logged, in order. */
  log: string[];
  hello(remotePort: number): Promise<ClientHello & { raw: Buffer }>;
  view(remotePort: number): Promise<ServerView>;
  /** How many connections reached the TLS server (for the no-network proofs). */
  connections(): number;
  close(): Promise<void>;
}

const WAIT_MS = 5000;

/** A map of promises keyed by port, filled by events that may come before or after the ask. */
class Board<T> {
  private readonly values = new Map<number, T>();
  private readonly events = new EventEmitter();
  put(key: number, value: T): void {
    this.values.set(key, value);
    this.events.emit(String(key), value);
  }
  async get(key: number): Promise<T> {
    const have = this.values.get(key);
    if (have !== undefined) return have;
    const [value] = (await once(this.events, String(key), {
      signal: AbortSignal.timeout(WAIT_MS),
    })) as [T];
    return value;
  }
}

// Whether a context chosen by SNICallback without a chain of its own (the leaf without its
// intermediate) makes the server send a bare leaf depends on the Node version: before 24.20 the
// default context's chain stays attached (step `failures` shows it with leaf-only.test). The
// catalogue's bare-leaf cases get a server of their own (startSingleCertServer), the same on all.
function contextFor(issued: Issued): SecureContext {
  return createSecureContext({ key: issued.keyPem, cert: fullChain(issued) });
}

/** A TLS server with one certificate and options; for the failure catalogue. */
export function startSingleCertServer(
  issued: Issued,
  options: TlsOptions = {},
): Promise<{ port: number; close: () => Promise<void> }> {
  return startTlsServer({ key: issued.keyPem, cert: fullChain(issued), ...options });
}

/** A TLS server that completes handshakes and ignores what follows; throws on bad options. */
export async function startTlsServer(
  options: TlsOptions,
): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer(options);
  server.on('tlsClientError', () => {});
  server.on('secureConnection', (socket) => {
    socket.on('error', () => {});
    socket.resume();
  });
  return {
    port: await listen(server),
    close: () => closeServer(server),
  };
}

export async function startSniServer(pki: Pki): Promise<SniServer> {
  const names = new Map<string, Issued>([
    ['alpha.test', pki.alpha],
    ['beta.test', pki.beta],
    ['expired.test', pki.expired],
    ['future.test', pki.notYetValid],
    ['rogue.test', pki.rogue],
    ['revoked.test', pki.revoked],
    // The leaf without its intermediate, through SNICallback: see contextFor.
    ['leaf-only.test', pki.incomplete],
  ]);
  const contexts = new Map([...names].map(([n, issued]) => [n, contextFor(issued)]));
  const log: string[] = [];
  const hellos = new Board<ClientHello & { raw: Buffer }>();
  const views = new Board<ServerView>();
  let accepted = 0;

  const tlsServer = createServer({
    key: pki.fallback.keyPem,
    cert: fullChain(pki.fallback),
    ALPNProtocols: ['h2', 'http/1.1'],
    SNICallback: (servername, cb) => {
      log.push(`SNICallback("${servername}")`);
      cb(null, contexts.get(servername));
    },
  });
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    const servername = (socket as TLSSocket & { servername?: string | false }).servername ?? false;
    const cert = socket.getCertificate() as { subject?: { CN?: string } } | null;
    log.push(`secureConnection: servername=${servername === false ? 'none' : servername}`);
    views.put(socket.remotePort ?? 0, {
      remotePort: socket.remotePort ?? 0,
      servername,
      chose: cert?.subject?.CN ?? '?',
      protocol: socket.getProtocol(),
      cipher: socket.getCipher().name,
      alpn: socket.alpnProtocol ?? false,
      ephemeralKeyInfo: socket.getEphemeralKeyInfo(),
    });
    socket.on('error', () => {});
    socket.resume();
  });
  // A failed handshake (a client that rejects the certificate) is expected in this demo.
  tlsServer.on('tlsClientError', () => {});

  const open = new Set<Socket>();
  const front: Server = createTcpServer((socket: Socket) => {
    accepted += 1;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const need = firstRecordLength(buffered);
      if (need === undefined || buffered.length < need) return;
      socket.off('data', onData);
      socket.pause();
      try {
        hellos.put(socket.remotePort ?? 0, {
          ...parseClientHello(buffered.subarray(0, need)),
          raw: Buffer.from(buffered.subarray(0, need)),
        });
      } catch (err) {
        if (!(err instanceof NotAClientHello)) throw err;
      }
      // Give the bytes back and let the TLS server take the socket as if it had accepted it.
      socket.unshift(buffered);
      tlsServer.emit('connection', socket);
    };
    socket.on('data', onData);
  });
  const port = await listen(front);

  return {
    port,
    names,
    log,
    hello: (port) => hellos.get(port),
    view: (port) => views.get(port),
    connections: () => accepted,
    close: async () => {
      const closed = closeServer(front);
      tlsServer.close();
      // A step that failed half-way may leave a connection open; close() would wait for it.
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}

/** A TCP listener that only counts connections: the target of the AIA/CRL/OCSP URLs. */
export async function startWatchedListener(): Promise<{
  url: string;
  count: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const server = createTcpServer((socket) => {
    count += 1;
    socket.destroy();
  });
  return {
    url: `http://127.0.0.1:${await listen(server)}`,
    count: () => count,
    close: () => closeServer(server),
  };
}
