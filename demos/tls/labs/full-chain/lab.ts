// Lab: a server that sends its leaf without the intermediate. Browsers often cope (they cache or
// fetch intermediates); Node, curl and Go do not. Decided by a handshake with the demo's client
// (client.ts) that trusts only the private root, as step `failures` shows the missing intermediate.

import type { TlsOptions } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { defineLab } from '../../../kit/lab.ts';
import { handshake } from '../../client.ts';
import { codeOf } from '../../errors.ts';
import { buildPki } from '../../pki.ts';
import { startTlsServer } from '../../servers.ts';

type ServerOptions = (pem: {
  key: string;
  leaf: string;
  intermediate: string;
  root: string;
}) => TlsOptions;

export const lab = defineLab(import.meta.url, {
  id: 'full-chain',
  title: 'Send the whole chain',
  task: 'Clients that trust only your root fail with "unable to verify the first certificate": make server.ts send what they need.',
  section: 'when-verification-fails-the-error-catalogue',
  files: ['server.ts'],
  startFails: 'a client that trusts only the private root verifies alpha.test',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/server.ts`).href)) as {
      serverOptions?: ServerOptions;
    };
    if (typeof mod.serverOptions !== 'function')
      throw new Error('server.ts must export the function serverOptions(pem)');
    // The certificates are written into the leaves' AIA; nothing fetches them here.
    const pki = await buildPki('http://127.0.0.1:9');
    const options = mod.serverOptions({
      key: pki.alpha.keyPem,
      leaf: pki.alpha.certPem,
      intermediate: pki.intermediatePem,
      root: pki.rootPem,
    });
    const server = await startTlsServer(options).then(
      (s) => s,
      (err: unknown) => codeOf(err),
    );
    if (
      !t.check(
        'the server starts with your key and certificate',
        typeof server !== 'string',
        typeof server === 'string' ? server : undefined,
      ) ||
      typeof server === 'string'
    )
      return;
    t.defer(() => server.close());
    const seen = await handshake({
      port: server.port,
      servername: 'alpha.test',
      ca: pki.rootPem,
    }).then(
      (facts) => `verified: ${facts.chain.map((c) => c.subject).join(' ← ')}`,
      (err: unknown) => codeOf(err),
    );
    t.match('a client that trusts only the private root verifies alpha.test', seen, /^verified: /);
  },
  hints: [
    {
      claim: 'the server starts with your key and certificate',
      ladder: [
        'Node refused to start a server with these options: the private key does not belong to the first certificate of `cert`.',
        "The first certificate is taken as the server's own; the key must be its key (node:tls createSecureContext; nginx's ssl_certificate says the same).",
        'Leaf first, then its issuer: `cert: pem.leaf + pem.intermediate`.',
      ],
    },
    {
      claim: 'a client that trusts only the private root verifies alpha.test',
      ladder: [
        'A client that trusts Demo Root CA could not link alpha.test to it: UNABLE_TO_VERIFY_LEAF_SIGNATURE means it never saw the intermediate.',
        'RFC 8446 §4.4.2: the server sends its certificate followed by the certificates that certify it; the client supplies only its roots. A root the client lacks cannot help, and the client already has ours.',
        '`cert` takes the whole chain, leaf first: `cert: pem.leaf + pem.intermediate` (nginx: the fullchain file as ssl_certificate).',
      ],
    },
  ],
  wrong: [
    {
      case: 'leaf-and-root',
      fails: 'a client that trusts only the private root verifies alpha.test',
      why: 'the root is what the client already has; the link it is missing is the intermediate',
    },
    {
      case: 'reversed',
      fails: 'the server starts with your key and certificate',
      why: "the first certificate in the chain is taken as the server's own, and the key does not match it",
    },
  ],
});
