// Which key exchange a TLS 1.3 handshake uses: the default (X25519, or the post-quantum hybrid
// X25519MLKEM768 with OpenSSL ≥ 3.5), X25519 forced, and the HelloRetryRequest a wrong guess costs.

import { createSecureContext, createServer } from 'node:tls';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { expectedFor } from '../kit/versions.ts';
import type { Env } from './env.ts';
import { flightsFigure, observe, sharesText } from './observe.ts';
import { fullChain } from './pki.ts';
import { defaultGroupFact, keyInfoFact, mlkemFact } from './versions.ts';

/** FIPS 203 sizes for ML-KEM-768, and X25519's (RFC 7748): what the hybrid concatenates. */
const MLKEM768_ENCAPSULATION_KEY = 1184;
const MLKEM768_CIPHERTEXT = 1088;
const X25519_KEY = 32;

/** Whether this OpenSSL lets Node use a group, worded as the version fact records it. */
function groupOption(group: string): string {
  try {
    createSecureContext({ ecdhCurve: group });
    return 'accepted';
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

export const keyShareStep = step<Env>(
  {
    id: 'key-share',
    section: 'key-exchange-x25519-and-the-post-quantum-hybrid',
    title: 'The key exchange: the default group on this stack, and X25519 forced',
  },
  async (t, { sni, pki }) => {
    const base = { servername: 'alpha.test', ca: pki.rootPem };
    const byDefault = await observe(sni.port, base);
    const forced = await observe(sni.port, { ...base, ecdhCurve: 'X25519' });
    t.table(
      ['', 'default options', "ecdhCurve: 'X25519'"],
      [
        ['ClientHello key_share', sharesText(byDefault.hellos[0]), sharesText(forced.hellos[0])],
        ['ServerHello key_share', byDefault.server.group, forced.server.group],
        [
          "server's share",
          `${byDefault.server.key?.length} bytes`,
          `${forced.server.key?.length} bytes`,
        ],
        [
          'getEphemeralKeyInfo()',
          JSON.stringify(byDefault.keyInfo),
          JSON.stringify(forced.keyInfo),
        ],
      ],
    );
    const openssl = process.versions.openssl;
    const group = expectedFor(defaultGroupFact, openssl);
    t.equal(
      `the default group a Node client and server agree on is ${group.value} (${group.when}, ServerHello key_share)`,
      byDefault.server.group,
      group.value,
    );
    const info = expectedFor(keyInfoFact, process.versions.node);
    t.equal(
      `getEphemeralKeyInfo() after that handshake is ${info.value} (${info.when})`,
      JSON.stringify(byDefault.keyInfo),
      info.value,
    );
    const mlkem = expectedFor(mlkemFact, openssl);
    t.equal(
      `ecdhCurve 'X25519MLKEM768' is ${mlkem.value} (${mlkem.when})`,
      groupOption('X25519MLKEM768'),
      mlkem.value,
    );
    const hybrid = byDefault.hellos[0]?.keyShares.find((k) => k.group === 'X25519MLKEM768');
    if (hybrid) {
      t.say(
        'X25519MLKEM768 runs two key exchanges at once and feeds both secrets into the key schedule: ' +
          'ML-KEM-768, the lattice-based KEM of FIPS 203, and classic X25519. Traffic recorded today ' +
          'stays secret even if a future quantum computer breaks X25519 ("harvest now, decrypt later"), ' +
          'and X25519 still protects it if the young ML-KEM turns out weak.',
      );
      t.equal(
        `the hybrid share is an ML-KEM-768 encapsulation key (${MLKEM768_ENCAPSULATION_KEY} bytes) followed by an X25519 key (${X25519_KEY})`,
        hybrid.key.length,
        MLKEM768_ENCAPSULATION_KEY + X25519_KEY,
      );
      t.equal(
        `the server answers with an ML-KEM-768 ciphertext (${MLKEM768_CIPHERTEXT} bytes) and its X25519 key (${X25519_KEY})`,
        byDefault.server.key?.length,
        MLKEM768_CIPHERTEXT + X25519_KEY,
      );
    }
    if (!hybrid) {
      t.say(
        `OpenSSL ${openssl} has no ML-KEM, so the default is plain X25519. With OpenSSL 3.5 (Node 22, ` +
          '24, 26) the same default ClientHello adds an X25519MLKEM768 share (ML-KEM-768 + X25519) ' +
          'and the handshake is post-quantum hybrid; the note’s version table has both.',
      );
    }
    t.equal(
      "with ecdhCurve 'X25519' the client offers one share, x25519 (32 bytes), on every stack",
      sharesText(forced.hellos[0]),
      'x25519 (32 bytes)',
    );
    t.equal(
      'the server’s X25519 share travels in clear in ServerHello (32 bytes): each side combines its own private key with the other’s public share, and nothing is decrypted with the certificate key',
      forced.server.key?.length,
      X25519_KEY,
    );
    t.equal(
      'and the handshake is plain X25519 ECDHE: getEphemeralKeyInfo() says X25519, 253 bits',
      [forced.server.group, forced.facts.group],
      ['x25519', 'X25519, 253 bits'],
    );
  },
);

export const hrrStep = step<Env>(
  {
    id: 'hrr',
    section: 'helloretryrequest-when-the-guess-misses',
    title: 'HelloRetryRequest: a server that wants a group the client sent no share for',
  },
  async (t, { pki }) => {
    const start = async (ecdhCurve: string) => {
      const server = createServer(
        { key: pki.alpha.keyPem, cert: fullChain(pki.alpha), ecdhCurve },
        (socket) => socket.resume(),
      );
      const port = await listen(server);
      t.defer(() => closeServer(server));
      return port;
    };
    const p256Only = await start('P-256');
    const x25519Only = await start('X25519');
    const base = { servername: 'alpha.test', ca: pki.rootPem };
    const retried = await observe(p256Only, base);
    t.figure(flightsFigure(retried, 'A default client against a server that takes only P-256'));
    const [first, second] = retried.hellos;
    t.check(
      'the server answers the first ClientHello with a HelloRetryRequest (a ServerHello whose random is SHA-256 of "HelloRetryRequest", RFC 8446 §4.1.3)',
      retried.server.helloRetry,
    );
    t.equal(
      'its key_share names the group it wants, secp256r1, and carries no key',
      [retried.server.group, retried.server.key],
      ['secp256r1', undefined],
    );
    t.equal(
      'the client sends a second ClientHello with one share, for secp256r1',
      [retried.hellos.length, sharesText(second)],
      [2, 'secp256r1 (65 bytes)'],
    );
    t.check(
      'the first ClientHello offered secp256r1 in supported_groups but sent no share for it',
      Boolean(first?.supportedGroups.includes('secp256r1')) &&
        !first?.keyShares.some((k) => k.group === 'secp256r1'),
      sharesText(first),
    );
    t.equal(
      'the retry costs a round trip: the client could send data after 2 server flights, not 1',
      retried.serverFlightsBeforeSecure,
      2,
    );
    const plain = await observe(x25519Only, base);
    t.equal(
      'a server with X25519 but no ML-KEM takes the plain x25519 share at once: one ClientHello, no retry',
      [plain.hellos.length, plain.server.helloRetry, plain.server.group],
      [1, false, 'x25519'],
    );
    if (groupOption('X25519MLKEM768') === 'accepted') {
      const hybridOnly = await observe(x25519Only, { ...base, ecdhCurve: 'X25519MLKEM768:X25519' });
      t.show('hybrid share only, ClientHello key_share', sharesText(hybridOnly.hellos[0]));
      t.equal(
        'OpenSSL ≥ 3.5: a client that sends only the hybrid share gets a HelloRetryRequest from that server; the second, plain X25519 share in the default ClientHello is what avoids it',
        [hybridOnly.server.helloRetry, hybridOnly.hellos.length, hybridOnly.facts.group],
        [true, 2, 'X25519, 253 bits'],
      );
    } else {
      t.say('This OpenSSL has no ML-KEM, so its ClientHello has only the plain X25519 share.');
    }
  },
);
