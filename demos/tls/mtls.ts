// A mutual-TLS server that records whom it let in and why it refused the rest, and a client that
// reports every event it saw: step `mtls` runs them with the right options, the mtls lab with a
// learner's.

import { createServer as createTlsServer, type TlsOptions, connect as tlsConnect } from 'node:tls';
import { closeServer, listen } from '../kit/net.ts';
import { codeOf } from './errors.ts';
import { fullChain, type Issued } from './pki.ts';

export interface MtlsServer {
  port: number;
  /** The clients whose connections reached the handler: authorized, and the certificate's CN. */
  accepted: { authorized: boolean; cn?: string }[];
  /** The codes of the handshakes the server refused. */
  refused: string[];
  close(): Promise<void>;
}

/** A TLS server with `options` whose handler greets each client it lets in. Throws on bad options. */
export async function startMtlsServer(options: TlsOptions): Promise<MtlsServer> {
  const accepted: MtlsServer['accepted'] = [];
  const refused: string[] = [];
  const server = createTlsServer(options, (socket) => {
    const peer = socket.getPeerCertificate() as { subject?: { CN?: string } };
    accepted.push({ authorized: socket.authorized, cn: peer.subject?.CN });
    socket.end('hello, authenticated client');
  });
  server.on('tlsClientError', (err) => refused.push(codeOf(err)));
  const port = await listen(server);
  return { port, accepted, refused, close: () => closeServer(server) };
}

/** A client to alpha.test that reports the events it saw until the connection closed. */
export function clientRun(port: number, ca: string, identity?: Issued): Promise<string[]> {
  return new Promise((resolve) => {
    const events: string[] = [];
    const socket = tlsConnect({
      host: '127.0.0.1',
      port,
      servername: 'alpha.test',
      ca,
      ...(identity ? { key: identity.keyPem, cert: fullChain(identity) } : {}),
    });
    socket.on('secureConnect', () => events.push('secureConnect'));
    socket.on('data', (d: Buffer) => events.push(`data ${d}`));
    socket.on('error', (err) => events.push(`error ${codeOf(err)}`));
    socket.on('close', () => resolve(events));
  });
}
