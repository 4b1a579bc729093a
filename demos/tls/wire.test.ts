// The hand-written parsers: a real ClientHello from Node's TLS client and bytes that are not one,
// and the key exchange in real servers' first flights.

import { createServer } from 'node:net';
import { type ConnectionOptions, connect, createServer as createTlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { closeServer, listen } from '../kit/net.ts';
import { observe } from './observe.ts';
import { buildPki, fullChain } from './pki.ts';
import { firstRecordLength, NotAClientHello, parseClientHello, splitRecords } from './wire.ts';

/** The first record a real Node client sends to a TCP server that never answers. */
async function captureClientHello(options: ConnectionOptions): Promise<Buffer> {
  const server = createServer();
  const port = await listen(server);
  const got = new Promise<Buffer>((resolve) => {
    server.once('connection', (socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        const need = firstRecordLength(buf);
        if (need !== undefined && buf.length >= need) {
          resolve(buf.subarray(0, need));
          socket.destroy();
        }
      });
    });
  });
  const client = connect({ host: '127.0.0.1', port, ...options });
  client.on('error', () => {});
  const hello = await got;
  client.destroy();
  await closeServer(server);
  return hello;
}

describe('parseClientHello', () => {
  it('decodes SNI, ALPN, versions and key shares from a real Node ClientHello', async () => {
    const raw = await captureClientHello({
      servername: 'alpha.test',
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    const hello = parseClientHello(raw);
    expect(hello.serverName).toBe('alpha.test');
    expect(hello.alpn).toEqual(['h2', 'http/1.1']);
    expect(hello.legacyVersion).toBe('TLSv1.2');
    expect(hello.supportedVersions).toContain('TLSv1.3');
    expect(hello.keyShares.map((k) => k.group)).toContain('x25519');
    expect(hello.cipherSuites).toBeGreaterThan(0);
  });

  it('finds no server_name and no supported_versions in a TLS 1.2-only hello to an IP', async () => {
    const raw = await captureClientHello({ maxVersion: 'TLSv1.2' });
    const hello = parseClientHello(raw);
    expect(hello.serverName).toBeUndefined();
    expect(hello.extensions).not.toContain(0);
    expect(hello.supportedVersions).toEqual([]);
    expect(hello.keyShares).toEqual([]);
  });

  it('rejects bytes that are not a ClientHello, and truncated ones', async () => {
    expect(() => parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(NotAClientHello);
    const raw = await captureClientHello({ servername: 'alpha.test' });
    expect(() => parseClientHello(raw.subarray(0, raw.length - 10))).toThrow(NotAClientHello);
  });
});

describe('splitRecords', () => {
  it('returns complete records and keeps an unfinished tail', () => {
    const rec = Buffer.from([22, 3, 3, 0, 2, 1, 2]);
    const { records, rest } = splitRecords(Buffer.concat([rec, rec.subarray(0, 4)]));
    expect(records.map((r) => [r.type, r.length])).toEqual([[22, 2]]);
    expect(rest.length).toBe(4);
  });
});

describe('readServerKeyExchange', () => {
  it('reads a HelloRetryRequest, then a TLS 1.2 ServerKeyExchange, off real servers', async () => {
    const pki = await buildPki('http://127.0.0.1:9');
    const server = createTlsServer(
      { key: pki.alpha.keyPem, cert: fullChain(pki.alpha), ecdhCurve: 'P-256' },
      (socket) => socket.resume(),
    );
    const port = await listen(server);
    try {
      const base = { servername: 'alpha.test', ca: pki.rootPem };
      const retried = await observe(port, base);
      expect(retried.server).toEqual({ helloRetry: true, group: 'secp256r1' });
      expect(retried.hellos.map((h) => h.keyShares.map((k) => k.group)).at(-1)).toEqual([
        'secp256r1',
      ]);
      const tls12 = await observe(port, { ...base, maxVersion: 'TLSv1.2' });
      expect([tls12.server.helloRetry, tls12.server.group, tls12.server.key?.length]).toEqual([
        false,
        'secp256r1',
        65,
      ]);
    } finally {
      await closeServer(server);
    }
  });
});
