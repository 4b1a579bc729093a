// Trust is decided locally (revocation only when the application asks), hostname verification
// is its own check, and the failure catalogue with the exact error code Node reports.

import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect as netConnect } from 'node:net';
import {
  type ConnectionOptions,
  checkServerIdentity,
  createServer as createTlsServer,
  type PeerCertificate,
} from 'node:tls';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { expectedFor } from '../kit/versions.ts';
import { handshake } from './client.ts';
import type { Env } from './env.ts';
import { codeOf, MEANINGS } from './errors.ts';
import { clientRun, startMtlsServer } from './mtls.ts';
import { observe } from './observe.ts';
import { fullChain, type Issued } from './pki.ts';
import { startSingleCertServer } from './servers.ts';
import { sniChainFact } from './versions.ts';

export const trustStep = step<Env>(
  {
    id: 'trust',
    section: 'trust-is-local-no-ca-is-contacted',
    title: 'Trust is local: the chain is checked offline against the client’s own trust anchors',
  },
  async (t, { sni, pki, watch }) => {
    const before = watch.count();
    const ok = await handshake({ port: sni.port, servername: 'alpha.test', ca: pki.rootPem });
    const leaf = ok.chain[0];
    t.say('The leaf and the intermediate carry AIA (OCSP, caIssuers) and CRL URLs. All point at a');
    t.say('local listener that counts connections, so any attempt to reach "the CA" would show.');
    t.block(
      Object.entries(leaf?.infoAccess ?? {}).map(
        ([k, v]) => `leaf ${k}: ${v.join(' ').replace(/:\d+\//, ':PORT/')}`,
      ),
    );
    t.check(
      'the leaf does carry the OCSP and caIssuers URLs',
      Boolean(leaf?.infoAccess?.['OCSP - URI']?.[0]?.startsWith(watch.url)),
    );
    t.equal(
      'with the private root as the only trust anchor the chain verifies',
      ok.authorized,
      true,
    );

    const noCa = await handshake({ port: sni.port, servername: 'alpha.test' }).catch((e) => e);
    t.equal(
      'the same chain without that root (Node’s bundled store instead) fails',
      codeOf(noCa),
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    );
    const bare = await startSingleCertServer(pki.incomplete);
    t.defer(() => bare.close());
    const leafOnly = await handshake({
      port: bare.port,
      servername: 'alpha.test',
      ca: pki.rootPem,
    }).catch((e) => e);
    t.equal(
      'a server that omits the intermediate fails even though caIssuers says where to fetch it',
      codeOf(leafOnly),
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );

    // Revocation: a leaf the intermediate's CRL lists, with and without the CRLs, and OCSP.
    const revokedTo = (options: object) =>
      handshake({ port: sni.port, servername: 'revoked.test', ca: pki.rootPem, ...options }).then(
        (f) => (f.authorized ? 'trusted' : (f.authorizationError ?? 'untrusted')),
        (e) => codeOf(e),
      );
    const withoutCrl = await revokedTo({});
    const withCrl = await revokedTo({ crl: pki.crls });
    const onlyIntermediateCrl = await revokedTo({ crl: pki.crls[1] });
    const ocsp = await stapleAsked(pki);
    t.table(
      ['revoked.test (on the intermediate’s CRL)', 'result'],
      [
        ['ca only', withoutCrl],
        ['ca + crl: [root CRL, intermediate CRL]', withCrl],
        ['ca + crl: intermediate CRL only', onlyIntermediateCrl],
        [
          'requestOCSP: true',
          `status_request sent: ${ocsp.extension}; OCSPResponse: ${ocsp.response}`,
        ],
      ],
    );
    t.equal(
      'a revoked certificate verifies when the client is given no CRL: Node checks no revocation by itself',
      withoutCrl,
      'trusted',
    );
    t.equal(
      'passing both CRLs as the crl option makes the same handshake fail with CERT_REVOKED',
      withCrl,
      'CERT_REVOKED',
    );
    t.equal(
      'with crl set, every certificate in the chain needs a CRL: given only the one the intermediate issued, the check fails for want of the root’s',
      onlyIntermediateCrl,
      'UNABLE_TO_GET_CRL',
    );
    t.equal(
      'requestOCSP adds status_request (extension 5) to the ClientHello and the server’s OCSPRequest handler runs',
      [ocsp.extension, ocsp.serverAsked],
      [true, 1],
    );
    t.equal(
      'with nothing stapled the OCSPResponse event carries null and the handshake succeeds: checking a response is the application’s job',
      [ocsp.response, ocsp.authorized],
      ['null', true],
    );
    t.equal(
      'the AIA/CRL/OCSP listener received 0 connections during all of these',
      watch.count() - before,
      0,
    );

    // The same verdicts as plain signature arithmetic on certificates in memory.
    const [leafX, interX, rootX] = [pki.alpha.certPem, pki.intermediatePem, pki.rootPem].map(
      (pem) => new X509Certificate(pem),
    ) as [X509Certificate, X509Certificate, X509Certificate];
    t.table(
      ['check (X509Certificate, in memory)', 'result'],
      [
        ['leaf.verify(intermediate.publicKey)', leafX.verify(interX.publicKey)],
        ['intermediate.verify(root.publicKey)', interX.verify(rootX.publicKey)],
        ['leaf.verify(root.publicKey)', leafX.verify(rootX.publicKey)],
      ],
    );
    t.equal(
      'each signature checks with its issuer’s public key and no other',
      [
        leafX.verify(interX.publicKey),
        interX.verify(rootX.publicKey),
        leafX.verify(rootX.publicKey),
      ],
      [true, true, false],
    );
  },
);

/** The first record a Node TLS client sends (its ClientHello), as the SNI server's front door read it. */
async function helloBytes(sni: Env['sni'], ca: string): Promise<Buffer> {
  let port = 0;
  await handshake({ port: sni.port, servername: 'alpha.test', ca }, (f) => {
    port = f.localPort;
  });
  return (await sni.hello(port)).raw;
}

/** Sends bytes over plain TCP and returns everything the server answers before it closes. */
function rawExchange(port: number, bytes: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.once('close', () => resolve(answer));
    socket.once('error', reject);
  });
}

/** A client asking for a stapled OCSP response from a server that has none to staple. */
async function stapleAsked(pki: Env['pki']) {
  let serverAsked = 0;
  const server = createTlsServer({ key: pki.alpha.keyPem, cert: fullChain(pki.alpha) }, (socket) =>
    socket.resume(),
  );
  server.on('OCSPRequest', (_cert, _issuer, cb) => {
    serverAsked += 1;
    cb(null, null); // nothing to staple
  });
  const port = await listen(server);
  try {
    let response = 'no event';
    const o = await observe(
      port,
      // requestOCSP is a documented tls.connect option missing from @types/node's ConnectionOptions.
      { servername: 'alpha.test', ca: pki.rootPem, requestOCSP: true } as ConnectionOptions,
      undefined,
      (socket) =>
        socket.on('OCSPResponse', (r: Buffer | null) => {
          response = r === null ? 'null' : `${r.length} bytes`;
        }),
    );
    return {
      extension: Boolean(o.hellos[0]?.extensions.includes(5)),
      serverAsked,
      response,
      authorized: o.facts.authorized,
    };
  } finally {
    await closeServer(server);
  }
}

export const hostnameStep = step<Env>(
  {
    id: 'hostname',
    section: 'hostname-verification-is-a-separate-check',
    title: 'Hostname verification is a second check, run only after the chain passed',
  },
  async (t, { sni, pki }) => {
    const calls: string[] = [];
    const counting = (host: string, cert: PeerCertificate) => {
      calls.push(host);
      return checkServerIdentity(host, cert);
    };
    // gamma.test is not configured: the server answers with its default certificate.
    const wrong = await handshake({
      port: sni.port,
      servername: 'gamma.test',
      ca: pki.rootPem,
      checkServerIdentity: counting,
    }).catch((e) => e);
    const afterValid = [...calls];
    const expired = await handshake({
      port: sni.port,
      servername: 'expired.test',
      ca: pki.rootPem,
      checkServerIdentity: counting,
    }).catch((e) => e);
    t.table(
      ['servername', 'chain', 'checkServerIdentity called', 'error'],
      [
        ['gamma.test', 'trusted (default.test)', afterValid.length, codeOf(wrong)],
        ['expired.test', 'expired', calls.length - afterValid.length, codeOf(expired)],
      ],
    );
    t.equal(
      'a trusted chain with the wrong name: the name check ran once, for gamma.test',
      afterValid,
      ['gamma.test'],
    );
    t.equal('…and it is what failed the connection', codeOf(wrong), 'ERR_TLS_CERT_ALTNAME_INVALID');
    t.equal(
      'a broken chain fails first: the name check was never called',
      calls.length - afterValid.length,
      0,
    );
    t.equal('…and the error is the chain’s', codeOf(expired), 'CERT_HAS_EXPIRED');

    const real = new X509Certificate(pki.alpha.certPem).toLegacyObject() as PeerCertificate;
    const results = ['alpha.test', 'ALPHA.TEST', 'beta.test', 'www.alpha.test'].map(
      (host) => [host, checkServerIdentity(host, real)] as const,
    );
    const verdicts = results.map(([host, err]) => [host, err ? codeOf(err) : 'ok']);
    t.table(['tls.checkServerIdentity(host, alpha cert)', 'result'], verdicts);
    t.show('reason given for beta.test', (results[2]?.[1] as { reason?: string })?.reason);
    t.equal(
      'called directly (no connection, no chain), it passes alpha.test in any letter case',
      [verdicts[0]?.[1], verdicts[1]?.[1]],
      ['ok', 'ok'],
    );
    t.check(
      '…and fails for any other name, subdomains included',
      verdicts.slice(2).every(([, v]) => v !== 'ok'),
    );
  },
);

export const failuresStep = step<Env>(
  {
    id: 'failures',
    section: 'when-verification-fails-the-error-catalogue',
    title: 'The failure catalogue: each broken setup and the exact code Node reports',
  },
  async (t, env) => {
    const { sni, pki } = env;
    const ca = pki.rootPem;
    const selfSigned = await startSingleCertServer(pki.selfSigned);
    const incomplete = await startSingleCertServer(pki.incomplete);
    const old = await startSingleCertServer(pki.alpha, { maxVersion: 'TLSv1.2' });
    // No clientError listener: what the TLS client meets is Node's own default answer.
    const http = createHttpServer((_req, res) => res.end());
    const httpPort = await listen(http);
    t.defer(async () => {
      await Promise.all([selfSigned.close(), incomplete.close(), old.close()]);
      await closeServer(http);
    });
    const cases: [string, string, Parameters<typeof handshake>[0]][] = [
      ['expired', 'CERT_HAS_EXPIRED', { port: sni.port, servername: 'expired.test', ca }],
      ['not yet valid', 'CERT_NOT_YET_VALID', { port: sni.port, servername: 'future.test', ca }],
      [
        'wrong host',
        'ERR_TLS_CERT_ALTNAME_INVALID',
        { port: sni.port, servername: 'gamma.test', ca },
      ],
      [
        'self-signed leaf',
        'DEPTH_ZERO_SELF_SIGNED_CERT',
        { port: selfSigned.port, servername: 'self-signed.test', ca },
      ],
      [
        'unknown root, sent',
        'SELF_SIGNED_CERT_IN_CHAIN',
        { port: sni.port, servername: 'rogue.test', ca },
      ],
      [
        'unknown root, not sent',
        'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
        { port: sni.port, servername: 'alpha.test' },
      ],
      [
        'missing intermediate',
        'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
        { port: incomplete.port, servername: 'alpha.test', ca },
      ],
      [
        'client min 1.3, server max 1.2',
        'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
        { port: old.port, servername: 'alpha.test', ca, minVersion: 'TLSv1.3' },
      ],
      [
        'no common ALPN',
        'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
        { port: sni.port, servername: 'alpha.test', ca, ALPNProtocols: ['spdy/3'] },
      ],
      [
        'TLS to a plain HTTP port',
        'ERR_SSL_WRONG_VERSION_NUMBER',
        { port: httpPort, servername: 'alpha.test', ca },
      ],
    ];
    const rows: string[][] = [];
    for (const [name, expected, options] of cases) {
      const got = await handshake(options).then(
        () => 'connected',
        (e) => codeOf(e),
      );
      rows.push([name, got, got === expected ? '✓' : `expected ${expected}`]);
      t.equal(`${name} → ${expected}`, got, expected);
    }
    t.table(['case', 'Node err.code', ''], rows);
    t.block(cases.map(([name, code]) => `${name}: ${MEANINGS[code] ?? ''}`));
    const hello = await helloBytes(sni, ca);
    const answer = await rawExchange(httpPort, hello);
    t.show('the HTTP server’s answer to a ClientHello', JSON.stringify(answer));
    t.equal(
      'what the TLS client sends first is a handshake record: first byte 0x16',
      hello[0],
      0x16,
    );
    t.equal(
      'Node’s HTTP server, with no clientError listener, answers those bytes itself: 400 Bad Request, then it closes',
      answer,
      'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    );

    // A gotcha met while building this catalogue: the same leaf-only context, chosen through
    // SNICallback on a server whose default context has a chain, is not a missing intermediate.
    const viaSni = await handshake({
      port: sni.port,
      servername: 'leaf-only.test',
      ca,
      rejectUnauthorized: false,
    });
    t.show(
      'leaf-only context via SNICallback, chain received',
      viaSni.chain.map((c) => c.subject),
    );
    const sent =
      viaSni.chain.length === 1
        ? 'leaf only'
        : viaSni.chain[1]?.subject === 'CN=Demo Intermediate CA'
          ? "leaf + the default context's intermediate"
          : viaSni.chain.map((c) => c.subject).join(', ');
    const chain = expectedFor(sniChainFact, process.versions.node);
    t.equal(
      `a context without a chain, chosen by SNICallback, sends ${chain.value} (${chain.when})`,
      `${sent} (${viaSni.authorizationError})`,
      chain.value,
    );
  },
);

export const mtlsStep = step<Env>(
  {
    id: 'mtls',
    section: 'mutual-tls-the-client-proves-itself-too',
    title: 'Mutual TLS: the server asks for a client certificate and checks it against its CA',
  },
  async (t, { pki }) => {
    const server = await startMtlsServer({
      key: pki.alpha.keyPem,
      cert: fullChain(pki.alpha),
      requestCert: true,
      rejectUnauthorized: true,
      ca: pki.rootPem,
    });
    t.defer(() => server.close());
    const { accepted, refused } = server;
    const as = (identity?: Issued) => clientRun(server.port, pki.rootPem, identity);
    const none = await as();
    const good = await as(pki.client);
    const rogue = await as(pki.rogueClient);
    t.table(
      ['client certificate', 'client saw', 'server saw'],
      [
        ['none', none.join(', '), refused[0] ?? ''],
        ['CN=service-a, from the private root', good.join(', '), JSON.stringify(accepted[0])],
        [
          'CN=service-b, from an unknown root',
          rogue.join(', ') || '(closed)',
          refused[1] ?? 'no connection',
        ],
      ],
    );
    t.equal(
      'with no client certificate the TLS 1.3 client finishes its side, then gets the server’s certificate_required alert',
      [none, refused[0]],
      [
        ['secureConnect', 'error ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'],
        'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
      ],
    );
    t.equal(
      'with a certificate from the trusted CA the server accepts the client and knows its name',
      [accepted[0], good.at(-1)],
      [{ authorized: true, cn: 'service-a' }, 'data hello, authenticated client'],
    );
    t.equal(
      'a client certificate from an unknown CA is never accepted: no connection reaches the server’s handler',
      [accepted.length, rogue.some((e) => e.startsWith('data'))],
      [1, false],
    );
  },
);
