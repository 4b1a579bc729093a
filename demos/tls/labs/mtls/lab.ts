// Lab: an internal API that asks for a client certificate and lets in whoever connects. Decided
// as step `mtls` decides it, with the same server and client (mtls.ts): no certificate, one from
// an unknown CA, and a service's own, against the learner's TLS options.

import type { TlsOptions } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { defineLab } from '../../../kit/lab.ts';
import { clientRun, startMtlsServer } from '../../mtls.ts';
import { buildPki, fullChain, type Issued } from '../../pki.ts';

type ServerOptions = (pem: { key: string; cert: string; clientCa: string }) => TlsOptions;

export const lab = defineLab(import.meta.url, {
  id: 'mtls',
  title: 'Only our services get in',
  task: "The orders API asks for a client certificate but lets anyone in: make server.ts accept only services whose certificate the clients' CA issued.",
  section: 'mutual-tls-the-client-proves-itself-too',
  files: ['server.ts'],
  startFails: 'a client with no certificate is refused',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/server.ts`).href)) as {
      serverOptions?: ServerOptions;
    };
    if (typeof mod.serverOptions !== 'function')
      throw new Error('server.ts must export the function serverOptions(pem)');
    // The certificates are written into the leaves' AIA; nothing fetches them here.
    const pki = await buildPki('http://127.0.0.1:9');
    const server = await startMtlsServer(
      mod.serverOptions({
        key: pki.alpha.keyPem,
        cert: fullChain(pki.alpha),
        clientCa: pki.rootPem,
      }),
    );
    t.defer(() => server.close());
    /** What the client saw, and whether its connection reached the server's handler. */
    const as = async (identity?: Issued) => {
      const before = server.accepted.length;
      const events = await clientRun(server.port, pki.rootPem, identity);
      return { events, let: server.accepted.length > before, seen: server.accepted.at(-1) };
    };
    const none = await as();
    t.check(
      'a client with no certificate is refused: its connection never reaches the handler',
      !none.let,
      `client saw: ${none.events.join(', ')}; the server let it in as ${JSON.stringify(none.seen)}`,
    );
    const rogue = await as(pki.rogueClient);
    t.check(
      'a client certificate from an unknown CA is refused',
      !rogue.let,
      `client saw: ${rogue.events.join(', ')}; the server let it in as ${JSON.stringify(rogue.seen)}`,
    );
    const good = await as(pki.client);
    t.equal(
      "a service with a certificate from the clients' CA gets in, and the server knows its name",
      [good.let ? good.seen : server.refused.at(-1), good.events.at(-1)],
      [{ authorized: true, cn: 'service-a' }, 'data hello, authenticated client'],
    );
  },
  hints: [
    {
      claim: 'a client with no certificate is refused',
      ladder: [
        "A client that sent no certificate reached the server's handler.",
        'Asking for a certificate (requestCert) is not requiring one: node:tls lets the handshake finish unless rejectUnauthorized is set too, and a server does not even ask unless requestCert is set (nginx: ssl_verify_client optional vs on).',
        'requestCert: true and rejectUnauthorized: true.',
      ],
    },
    {
      claim: 'a client certificate from an unknown CA is refused',
      ladder: [
        "A certificate nobody we trust issued reached the server's handler.",
        'The server verifies client certificates against its own list of CAs; with rejectUnauthorized: false a failed verification is only reported (socket.authorized false), not enforced.',
        "rejectUnauthorized: true, with ca set to the clients' CA.",
      ],
    },
    {
      claim: "a service with a certificate from the clients' CA gets in",
      ladder: [
        "Our own service, with a certificate the clients' CA issued, was refused.",
        'A server verifies client certificates against `ca`; left out, Node uses its bundled public roots, which never issued our private certificates (the error is the client CA being unknown).',
        'ca: pem.clientCa.',
      ],
    },
  ],
  wrong: [
    {
      case: 'no-request',
      fails: 'a client with no certificate is refused',
      why: 'without requestCert the server never asks for a certificate, so there is nothing to reject',
    },
    {
      case: 'no-ca',
      fails: "a service with a certificate from the clients' CA gets in",
      why: 'without ca the server checks client certificates against the public roots, which never issued ours',
    },
  ],
});
