// TLS bytes as they cross the wire: the record layer (RFC 8446 §5.1, RFC 5246 §6.2) and the
// ClientHello (RFC 8446 §4.1.2) with the extensions a reader cares about, and the key exchange in
// the server's first flight, parsed by hand.

import { createHash } from 'node:crypto';

export const HANDSHAKE_TYPES: Record<number, string> = {
  1: 'ClientHello',
  2: 'ServerHello',
  4: 'NewSessionTicket',
  8: 'EncryptedExtensions',
  11: 'Certificate',
  12: 'ServerKeyExchange',
  13: 'CertificateRequest',
  14: 'ServerHelloDone',
  15: 'CertificateVerify',
  16: 'ClientKeyExchange',
  20: 'Finished',
};

const VERSIONS: Record<number, string> = {
  772: 'TLSv1.3',
  771: 'TLSv1.2',
  770: 'TLSv1.1',
  769: 'TLSv1',
};

const GROUPS: Record<number, string> = {
  23: 'secp256r1',
  24: 'secp384r1',
  25: 'secp521r1',
  29: 'x25519',
  30: 'x448',
  256: 'ffdhe2048',
  257: 'ffdhe3072',
  258: 'ffdhe4096',
  259: 'ffdhe6144',
  260: 'ffdhe8192',
  // Hybrid post-quantum groups (draft-ietf-tls-ecdhe-mlkem): ML-KEM (FIPS 203) plus an ECDH group.
  4587: 'SecP256r1MLKEM768',
  4588: 'X25519MLKEM768',
  4589: 'SecP384r1MLKEM1024',
};

const name = (table: Record<number, string>, code: number) =>
  table[code] ?? `0x${code.toString(16).padStart(4, '0')}`;

export interface TlsRecord {
  type: number;
  length: number;
  /** The record's payload (ciphertext for protected records). */
  body: Buffer;
}

/** Splits a byte stream into complete records; `rest` is an unfinished tail. */
export function splitRecords(bytes: Buffer): { records: TlsRecord[]; rest: Buffer } {
  const records: TlsRecord[] = [];
  let at = 0;
  while (bytes.length - at >= 5) {
    const length = bytes.readUInt16BE(at + 3);
    if (bytes.length - at - 5 < length) break;
    records.push({
      type: bytes[at] as number,
      length,
      body: bytes.subarray(at + 5, at + 5 + length),
    });
    at += 5 + length;
  }
  return { records, rest: bytes.subarray(at) };
}

/**
 * Handshake message types readable in cleartext handshake records. Messages may span records,
 * so the bodies are concatenated first; only meaningful for records sent before encryption.
 */
export function handshakeTypes(records: TlsRecord[]): string[] {
  const data = Buffer.concat(records.filter((r) => r.type === 22).map((r) => r.body));
  const out: string[] = [];
  let at = 0;
  while (data.length - at >= 4) {
    const type = data[at] as number;
    const length = data.readUIntBE(at + 1, 3);
    out.push(name(HANDSHAKE_TYPES, type));
    at += 4 + length;
  }
  return out;
}

/** How many bytes the first record needs in total, or undefined while the header is incomplete. */
export function firstRecordLength(bytes: Buffer): number | undefined {
  return bytes.length >= 5 ? 5 + bytes.readUInt16BE(3) : undefined;
}

/** One key_share entry (RFC 8446 §4.2.8): the group and the sender's ephemeral public key. */
interface KeyShare {
  group: string;
  key: Buffer;
}

export interface ClientHello {
  legacyVersion: string;
  random: Buffer;
  serverName?: string;
  alpn: string[];
  supportedVersions: string[];
  supportedGroups: string[];
  keyShares: KeyShare[];
  cipherSuites: number;
  extensions: number[];
}

export class NotAClientHello extends Error {
  override name = 'NotAClientHello';
}

/** A cursor over a buffer that throws NotAClientHello instead of reading past the end. */
class Reader {
  constructor(
    private readonly buf: Buffer,
    public at = 0,
  ) {}
  need(n: number): void {
    if (this.at + n > this.buf.length) throw new NotAClientHello('truncated ClientHello');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++] as number;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = this.buf.readUIntBE(this.at, 3);
    this.at += 3;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  /** A length-prefixed vector, returned as its own Reader. */
  vector(lengthBytes: 1 | 2): Reader {
    const n = lengthBytes === 1 ? this.u8() : this.u16();
    return new Reader(this.bytes(n));
  }
  /** What is left, consumed. */
  rest(): Buffer {
    return this.bytes(this.buf.length - this.at);
  }
  get done(): boolean {
    return this.at >= this.buf.length;
  }
}

/** Decodes the ClientHello in the first record of a connection (one record, as clients send). */
export function parseClientHello(bytes: Buffer): ClientHello {
  const record = new Reader(bytes);
  if (record.u8() !== 22) throw new NotAClientHello('first record is not a handshake record');
  record.u16();
  const body = new Reader(record.bytes(record.u16()));
  if (body.u8() !== 1) throw new NotAClientHello('first handshake message is not a ClientHello');
  const hello = new Reader(body.bytes(body.u24()));
  const legacyVersion = name(VERSIONS, hello.u16());
  const random = Buffer.from(hello.bytes(32));
  hello.vector(1); // legacy_session_id
  const suites = hello.vector(2);
  hello.vector(1); // legacy_compression_methods
  const result: ClientHello = {
    legacyVersion,
    random,
    alpn: [],
    supportedVersions: [],
    supportedGroups: [],
    keyShares: [],
    cipherSuites: 0,
    extensions: [],
  };
  while (!suites.done) {
    suites.u16();
    result.cipherSuites += 1;
  }
  const extensions = hello.done ? new Reader(Buffer.alloc(0)) : hello.vector(2);
  while (!extensions.done) {
    const type = extensions.u16();
    const data = extensions.vector(2);
    result.extensions.push(type);
    if (type === 0) {
      // server_name (RFC 6066 §3): a list of (name_type, HostName); type 0 is host_name.
      const list = data.vector(2);
      while (!list.done) {
        const kind = list.u8();
        const host = list.vector(2);
        if (kind === 0) result.serverName = hostText(host);
      }
    } else if (type === 16) {
      // application_layer_protocol_negotiation (RFC 7301 §3.1)
      const list = data.vector(2);
      while (!list.done) result.alpn.push(hostText(list.vector(1)));
    } else if (type === 43) {
      // supported_versions (RFC 8446 §4.2.1)
      const list = data.vector(1);
      while (!list.done) result.supportedVersions.push(name(VERSIONS, list.u16()));
    } else if (type === 10) {
      // supported_groups (RFC 8446 §4.2.7)
      const list = data.vector(2);
      while (!list.done) result.supportedGroups.push(name(GROUPS, list.u16()));
    } else if (type === 51) {
      // key_share (RFC 8446 §4.2.8): the client's ephemeral public keys, one per group
      const list = data.vector(2);
      while (!list.done) {
        const group = name(GROUPS, list.u16());
        result.keyShares.push({ group, key: Buffer.from(list.vector(2).rest()) });
      }
    }
  }
  return result;
}

function hostText(r: Reader): string {
  const chunks: number[] = [];
  while (!r.done) chunks.push(r.u8());
  return Buffer.from(chunks).toString('latin1');
}

/** ServerHello.random of a HelloRetryRequest: SHA-256 of "HelloRetryRequest" (RFC 8446 §4.1.3). */
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest('hex');

/** What the server's cleartext handshake messages say about the key exchange. */
export interface ServerKeyExchange {
  /** The ServerHello was a HelloRetryRequest: the server asks for a share of another group. */
  helloRetry: boolean;
  /** The group: TLS 1.3 ServerHello key_share (or the HRR's selected_group), TLS 1.2 ServerKeyExchange. */
  group?: string;
  /** The server's public key share (absent in a HelloRetryRequest). */
  key?: Buffer;
}

/** Reads the first server flight's cleartext handshake messages (RFC 8446 §4.1.3, RFC 8422 §5.4). */
export function readServerKeyExchange(records: TlsRecord[]): ServerKeyExchange {
  const data = new Reader(Buffer.concat(records.filter((r) => r.type === 22).map((r) => r.body)));
  const result: ServerKeyExchange = { helloRetry: false };
  while (!data.done) {
    const type = data.u8();
    const body = new Reader(data.bytes(data.u24()));
    if (type === 2) {
      body.u16(); // legacy_version
      result.helloRetry = body.bytes(32).toString('hex') === HRR_RANDOM;
      body.vector(1); // legacy_session_id_echo
      body.u16(); // cipher_suite
      body.u8(); // legacy_compression_method
      const extensions = body.done ? new Reader(Buffer.alloc(0)) : body.vector(2);
      while (!extensions.done) {
        const ext = extensions.u16();
        const value = extensions.vector(2);
        if (ext !== 51) continue;
        result.group = name(GROUPS, value.u16());
        if (!result.helloRetry) result.key = Buffer.from(value.vector(2).rest());
      }
    } else if (type === 12 && body.u8() === 3) {
      // ServerKeyExchange, ECParameters with curve_type named_curve, then the ECPoint.
      result.group = name(GROUPS, body.u16());
      result.key = Buffer.from(body.vector(1).rest());
    }
  }
  return result;
}
