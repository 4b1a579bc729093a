// Steps 4–6: trust is decided locally, hostname verification is its own check, and the failure
// catalogue with the exact error code Node reports for each case.

import { X509Certificate } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import { handshake } from './client.ts';
import type { Env } from './env.ts';
import { codeOf, MEANINGS } from './errors.ts';
import { startSingleCertServer } from './servers.ts';

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
    t.equal(
      'the AIA/CRL/OCSP listener received 0 connections during all three',
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
    const rawPackets: Buffer[] = [];
    const http = createHttpServer((_req, res) => res.end());
    http.on('clientError', (err: Error & { rawPacket?: Buffer }, socket) => {
      if (err.rawPacket) rawPackets.push(err.rawPacket);
      // What Node's default clientError handling sends; overriding it only lets us see rawPacket.
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
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
    t.equal(
      'the HTTP server’s parser got a TLS handshake record (first byte 0x16) and rejected it',
      rawPackets[0]?.[0],
      0x16,
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
    t.equal(
      'via SNICallback a context without a chain still sends an intermediate it was never given',
      [viaSni.chain[1]?.subject, viaSni.authorizationError],
      ['CN=Demo Intermediate CA', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    );
  },
);
