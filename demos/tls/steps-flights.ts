// Step 3: the handshake as both ends and a passive observer see it, TLS 1.3 then TLS 1.2, and
// the certificate's key only signing.

import { X509Certificate } from 'node:crypto';
import { step } from '../kit/define.ts';
import { type HandshakeFacts, handshake } from './client.ts';
import type { Env } from './env.ts';
import { codeOf } from './errors.ts';
import { derOf } from './pki.ts';
import { describeFlight, type Flight, startRelay } from './relay.ts';
import type { ServerView } from './servers.ts';
import { handshakeTypes } from './wire.ts';

/** A validity date as days from today, so the transcript reads the same on every run. */
function days(isoDate: string): string {
  const d = Math.round((Date.parse(isoDate) - Date.now()) / 86_400_000);
  return d === 0 ? 'today' : `${d > 0 ? '+' : ''}${d} d`;
}

interface Observed {
  facts: HandshakeFacts;
  view: ServerView;
  flights: Flight[];
  serverFlightsBeforeSecure: number;
  leafInClear: boolean;
}

async function observe(env: Env, maxVersion?: 'TLSv1.2'): Promise<Observed> {
  const relay = await startRelay(env.sni.port);
  try {
    let view: ServerView | undefined;
    let serverFlights = 0;
    const facts = await handshake(
      {
        port: relay.port,
        servername: 'alpha.test',
        ca: env.pki.rootPem,
        ALPNProtocols: ['h2', 'http/1.1'],
        ...(maxVersion ? { maxVersion } : {}),
      },
      async () => {
        // The moment the client may send application data: how many server flights it needed.
        serverFlights = relay.flights().filter((f) => f.direction === 'server→client').length;
        view = await env.sni.view(relay.upstreamPort());
      },
    );
    const leafInClear = relay.bytes('server→client').includes(derOf(env.pki.alpha.certPem));
    return {
      facts,
      view: view as ServerView,
      flights: relay.flights(),
      serverFlightsBeforeSecure: serverFlights,
      leafInClear,
    };
  } finally {
    await relay.close();
  }
}

export const handshakeStep = step<Env>(
  {
    id: 'handshake',
    section: 'the-handshake-tls-13-and-tls-12',
    title: 'The handshake from both ends and from the wire: TLS 1.3, then TLS 1.2 forced',
  },
  async (t, env) => {
    const v13 = await observe(env);
    const v12 = await observe(env, 'TLSv1.2');
    t.say(
      'Each client connects through a relay that keeps every byte, as a passive observer would.',
    );
    for (const [name, o] of [
      ['TLS 1.3', v13],
      ['TLS 1.2 (maxVersion)', v12],
    ] as const) {
      t.table(
        [name, 'client', 'server'],
        [
          ['getProtocol()', o.facts.protocol, o.view.protocol],
          ['getCipher().name', o.facts.cipher, o.view.cipher],
          ['getEphemeralKeyInfo()', o.facts.group, String(o.view.ephemeralKeyInfo)],
          ['alpnProtocol', o.facts.alpn, o.view.alpn],
        ].map((r) => r.map((c) => String(c))),
      );
    }
    t.say(
      'The chain the TLS 1.3 client verified (depth 0 is the server; validity in days from today):',
    );
    t.table(
      ['depth', 'subject', 'issuer', 'valid', 'SAN'],
      v13.facts.chain.map((c, i) => [
        i,
        c.subject,
        c.issuer,
        `${days(c.validFrom)} → ${days(c.validTo)}`,
        c.sans,
      ]),
    );
    for (const [name, o] of [
      ['TLS 1.3', v13],
      ['TLS 1.2', v12],
    ] as const) {
      t.say(`${name} on the wire, flight by flight (cleartext handshake messages named):`);
      t.block(
        o.flights.map(
          (f) => `${f.direction === 'client→server' ? 'C → S' : 'S → C'}  ${describeFlight(f)}`,
        ),
      );
    }
    t.equal(
      'both ends agree on TLS 1.3 and its cipher suite',
      [v13.facts.protocol, v13.facts.cipher],
      [v13.view.protocol, v13.view.cipher],
    );
    t.equal(
      'the TLS 1.3 key exchange is ephemeral X25519 ECDHE',
      v13.facts.group,
      'X25519, 253 bits',
    );
    t.equal(
      'getEphemeralKeyInfo() answers only on the client; on the server it is null',
      v13.view.ephemeralKeyInfo,
      null,
    );
    t.equal('ALPN chose h2 at both ends', [v13.facts.alpn, v13.view.alpn], ['h2', 'h2']);
    t.equal(
      'the verified chain runs alpha.test → intermediate → the private root',
      v13.facts.chain.map((c) => c.subject),
      ['CN=alpha.test', 'CN=Demo Intermediate CA', 'CN=Demo Root CA'],
    );
    t.equal(
      'TLS 1.3: the client could send data after 1 server flight (one round trip)',
      v13.serverFlightsBeforeSecure,
      1,
    );
    t.equal(
      'TLS 1.2: it needed 2 server flights (two round trips)',
      v12.serverFlightsBeforeSecure,
      2,
    );
    const firstServer12 = v12.flights.find((f) => f.direction === 'server→client');
    t.equal(
      'TLS 1.2: the server’s first flight is all readable handshake messages',
      handshakeTypes(firstServer12?.records ?? []),
      ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone'],
    );
    t.equal(
      'TLS 1.2: the leaf certificate’s DER bytes appear in clear on the wire',
      v12.leafInClear,
      true,
    );
    const firstServer13 = v13.flights.find((f) => f.direction === 'server→client');
    t.equal(
      'TLS 1.3: only the ServerHello is readable; everything after it is encrypted',
      handshakeTypes((firstServer13?.records ?? []).filter((r) => r.type === 22)),
      ['ServerHello'],
    );
    t.equal('TLS 1.3: the leaf certificate never appears in clear', v13.leafInClear, false);
    t.equal(
      'TLS 1.2 still used ephemeral ECDHE here, named in the suite',
      [v12.facts.group, v12.facts.cipher.startsWith('ECDHE-')],
      ['X25519, 253 bits', true],
    );

    // The seed says the client encrypts a secret with the server's public key. Here the
    // server's key cannot encrypt at all, and the handshake works anyway.
    const keyType = new X509Certificate(env.pki.alpha.certPem).publicKey.asymmetricKeyType;
    t.equal('the server’s certificate key is EC P-256, a signing-only key', keyType, 'ec');
    const rsaOnly = 'AES128-GCM-SHA256'; // TLS 1.2 suite with RSA key transport
    const with13 = await handshake({
      port: env.sni.port,
      servername: 'alpha.test',
      ca: env.pki.rootPem,
      ciphers: rsaOnly,
    });
    t.equal(
      `offering only ${rsaOnly} changes nothing in TLS 1.3: its suites carry no key exchange`,
      [with13.protocol, with13.group],
      ['TLSv1.3', 'X25519, 253 bits'],
    );
    await t
      .rejects(
        `TLS 1.2 with only ${rsaOnly} fails: RSA key transport needs an RSA key`,
        () =>
          handshake({
            port: env.sni.port,
            servername: 'alpha.test',
            ca: env.pki.rootPem,
            ciphers: rsaOnly,
            maxVersion: 'TLSv1.2',
          }),
        /HANDSHAKE_FAILURE|NO_SHARED_CIPHER/,
      )
      .then((err) => t.show('the error', codeOf(err)));
  },
);
