// The handshake as both ends and a passive observer see it, TLS 1.3 then TLS 1.2, and the
// certificate's key only signing.

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { handshake } from './client.ts';
import type { Env } from './env.ts';
import { codeOf } from './errors.ts';
import { flightsFigure, type Observed, observe } from './observe.ts';
import { derOf } from './pki.ts';
import type { ServerView } from './servers.ts';
import { defaultGroupFact, handshakeFailureFact } from './versions.ts';
import { handshakeTypes } from './wire.ts';

/** A validity date as days from today, so the transcript reads the same on every run. */
function days(isoDate: string): string {
  const d = Math.round((Date.parse(isoDate) - Date.now()) / 86_400_000);
  return d === 0 ? 'today' : `${d > 0 ? '+' : ''}${d} d`;
}

interface Seen {
  o: Observed;
  view: ServerView;
  leafInClear: boolean;
}

/** One handshake through the relay, with what the SNI server logged about it. */
async function watch(env: Env, maxVersion?: 'TLSv1.2'): Promise<Seen> {
  let view: ServerView | undefined;
  const o = await observe(
    env.sni.port,
    {
      servername: 'alpha.test',
      ca: env.pki.rootPem,
      ALPNProtocols: ['h2', 'http/1.1'],
      ...(maxVersion ? { maxVersion } : {}),
    },
    async (relay) => {
      view = await env.sni.view(relay.upstreamPort());
    },
  );
  const leafInClear = o.fromServer.includes(derOf(env.pki.alpha.certPem));
  return { o, view: view as ServerView, leafInClear };
}

export const handshakeStep = step<Env>(
  {
    id: 'handshake',
    section: 'the-handshake-tls-13-and-tls-12',
    title: 'The handshake from both ends and from the wire: TLS 1.3, then TLS 1.2 forced',
  },
  async (t, env) => {
    const { o: v13, view: view13, leafInClear: leaf13 } = await watch(env);
    const { o: v12, view: view12, leafInClear: leaf12 } = await watch(env, 'TLSv1.2');
    t.say(
      'Each client connects through a relay that keeps every byte, as a passive observer would.',
    );
    for (const [name, o, view] of [
      ['TLS 1.3', v13, view13],
      ['TLS 1.2 (maxVersion)', v12, view12],
    ] as const) {
      t.table(
        [name, 'client', 'server'],
        [
          ['getProtocol()', o.facts.protocol, view.protocol],
          ['getCipher().name', o.facts.cipher, view.cipher],
          ['getEphemeralKeyInfo()', JSON.stringify(o.keyInfo), String(view.ephemeralKeyInfo)],
          ['group on the wire', o.server.group, ''],
          ['alpnProtocol', o.facts.alpn, view.alpn],
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
    t.figure(flightsFigure(v13, 'TLS 1.3 on the wire, flight by flight'));
    t.figure(flightsFigure(v12, 'TLS 1.2 on the wire, flight by flight'));
    t.equal(
      'both ends agree on TLS 1.3 and its cipher suite',
      [v13.facts.protocol, v13.facts.cipher],
      [view13.protocol, view13.cipher],
    );
    const group = expectedFor(defaultGroupFact, process.versions.openssl);
    t.equal(
      `the TLS 1.3 key exchange is ephemeral: ServerHello's key_share names ${group.value} (${group.when})`,
      v13.server.group,
      group.value,
    );
    t.equal(
      'getEphemeralKeyInfo() answers only on the client; on the server it is null',
      view13.ephemeralKeyInfo,
      null,
    );
    t.equal('ALPN chose h2 at both ends', [v13.facts.alpn, view13.alpn], ['h2', 'h2']);
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
    t.equal('TLS 1.2: the leaf certificate’s DER bytes appear in clear on the wire', leaf12, true);
    const firstServer13 = v13.flights.find((f) => f.direction === 'server→client');
    t.equal(
      'TLS 1.3: only the ServerHello is readable; everything after it is encrypted',
      handshakeTypes((firstServer13?.records ?? []).filter((r) => r.type === 22)),
      ['ServerHello'],
    );
    t.equal('TLS 1.3: the leaf certificate never appears in clear', leaf13, false);
    t.equal(
      'TLS 1.2 still used ephemeral ECDHE here: X25519 in ServerKeyExchange, named in the suite',
      [v12.server.group, v12.facts.group, v12.facts.cipher.startsWith('ECDHE-')],
      ['x25519', 'X25519, 253 bits', true],
    );

    const privateKey = createPrivateKey(env.pki.alpha.keyPem).export({
      type: 'pkcs8',
      format: 'der',
    });
    t.check(
      'the server’s private key never crosses the wire: its bytes are nowhere in what the server sent',
      !v13.fromServer.includes(privateKey) && !v12.fromServer.includes(privateKey),
    );

    // The seed says the client encrypts a secret with the server's public key. Here the
    // server's key cannot encrypt at all, and the handshake works anyway.
    const keyType = new X509Certificate(env.pki.alpha.certPem).publicKey.asymmetricKeyType;
    t.equal('the server’s certificate key is EC P-256, a signing-only key', keyType, 'ec');
    const rsaOnly = 'AES128-GCM-SHA256'; // TLS 1.2 suite with RSA key transport
    const with13 = await observe(env.sni.port, {
      servername: 'alpha.test',
      ca: env.pki.rootPem,
      ciphers: rsaOnly,
    });
    t.equal(
      `offering only ${rsaOnly} changes nothing in TLS 1.3: its suites carry no key exchange`,
      [with13.facts.protocol, with13.server.group],
      ['TLSv1.3', group.value],
    );
    const alert = expectedFor(handshakeFailureFact, process.versions.openssl);
    await t
      .rejects(
        `TLS 1.2 with only ${rsaOnly} fails: RSA key transport needs an RSA key (${alert.when}: ${alert.value})`,
        () =>
          handshake({
            port: env.sni.port,
            servername: 'alpha.test',
            ca: env.pki.rootPem,
            ciphers: rsaOnly,
            maxVersion: 'TLSv1.2',
          }),
        { code: alert.value },
      )
      .then((err) => t.show('the error', codeOf(err)));
  },
);
