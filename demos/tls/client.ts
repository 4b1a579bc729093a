// A TLS client that reports what it saw: the facts `openssl s_client -brief` prints, read from
// Node's TLSSocket. Used by the demo's steps and by the `probe` subcommand.

import { type ConnectionOptions, connect, type PeerCertificate, type TLSSocket } from 'node:tls';

interface CertFacts {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  sans: string[];
  fingerprint256: string;
  infoAccess?: Record<string, string[]>;
  selfIssued: boolean;
}

export interface HandshakeFacts {
  protocol: string | null;
  cipher: string;
  /** The cipher's standard (IANA) name, e.g. TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256. */
  standardName: string;
  /**
   * The ephemeral key exchange as getEphemeralKeyInfo() names it: "X25519, 253 bits", or only
   * "X25519MLKEM768" for a hybrid group (no single key size); undefined when Node reports none.
   */
  group?: string;
  alpn: string | false;
  authorized: boolean;
  authorizationError?: string;
  /** Leaf first, then each issuer the client could link up to. */
  chain: CertFacts[];
  localPort: number;
}

const TIMEOUT_MS = 5000;
const CLOSE_MS = 2000;

function cn(name: Record<string, unknown> | undefined): string {
  if (!name) return '';
  const value = name.CN ?? Object.values(name)[0];
  return Array.isArray(value) ? value.join(',') : String(value ?? '');
}

function certFacts(cert: PeerCertificate): CertFacts {
  const infoAccess = (cert as { infoAccess?: Record<string, string[]> }).infoAccess;
  return {
    subject: `CN=${cn(cert.subject as unknown as Record<string, unknown>)}`,
    issuer: `CN=${cn(cert.issuer as unknown as Record<string, unknown>)}`,
    validFrom: new Date(cert.valid_from).toISOString().slice(0, 10),
    validTo: new Date(cert.valid_to).toISOString().slice(0, 10),
    sans: (cert.subjectaltname ?? '')
      .split(', ')
      .filter(Boolean)
      .map((s) => s.replace(/^DNS:/, '')),
    fingerprint256: cert.fingerprint256,
    ...(infoAccess ? { infoAccess: { ...infoAccess } } : {}),
    selfIssued: cn(cert.subject as never) === cn(cert.issuer as never),
  };
}

/** The chain as the client linked it: getPeerCertificate(true) follows issuerCertificate. */
function peerChain(socket: TLSSocket): CertFacts[] {
  const out: CertFacts[] = [];
  let cert = socket.getPeerCertificate(true) as PeerCertificate & {
    issuerCertificate?: PeerCertificate;
  };
  const seen = new Set<string>();
  while (cert?.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(certFacts(cert));
    cert = cert.issuerCertificate as typeof cert;
  }
  return out;
}

function readFacts(socket: TLSSocket): HandshakeFacts {
  const key = socket.getEphemeralKeyInfo() as { name?: string; size?: number } | null;
  const cipher = socket.getCipher();
  return {
    protocol: socket.getProtocol(),
    cipher: cipher.name,
    standardName: cipher.standardName,
    ...(key?.name ? { group: key.size ? `${key.name}, ${key.size} bits` : key.name } : {}),
    alpn: socket.alpnProtocol ?? false,
    authorized: socket.authorized,
    ...(socket.authorizationError ? { authorizationError: String(socket.authorizationError) } : {}),
    chain: peerChain(socket),
    localPort: socket.localPort ?? 0,
  };
}

/**
 * Connects, waits for the handshake and returns the facts. A rejected handshake rejects with
 * Node's error (its `code` is the point). `whileOpen` runs before the socket is closed, e.g. to
 * wait until the server has logged its side; `onSocket` sees the socket before the handshake
 * (to listen for events such as 'OCSPResponse').
 */
export function handshake(
  options: ConnectionOptions,
  whileOpen?: (facts: HandshakeFacts, socket: TLSSocket) => Promise<void> | void,
  onSocket?: (socket: TLSSocket) => void,
): Promise<HandshakeFacts> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', ...options });
    onSocket?.(socket);
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`no handshake within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.on('error', fail);
    socket.once('secureConnect', async () => {
      const facts = readFacts(socket);
      try {
        await whileOpen?.(facts, socket);
      } catch (err) {
        fail(err as Error);
        return;
      }
      settled = true;
      clearTimeout(timer);
      // A polite close: our FIN, then the server's. A server that never closes gets cut off.
      const cutOff = setTimeout(() => socket.destroy(), CLOSE_MS);
      socket.once('close', () => {
        clearTimeout(cutOff);
        resolve(facts);
      });
      socket.end();
    });
  });
}
