// HTTPS end to end through undici and how its connection is set up, then independent
// implementations: openssl s_client against the demo's server, and Node plus openssl against nginx.

import { readFileSync } from 'node:fs';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { LookupFunction } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { step } from '../kit/define.ts';
import { endpoints } from '../kit/endpoints.ts';
import { closeServer, listen } from '../kit/net.ts';
import { expectedFor } from '../kit/versions.ts';
import { handshake } from './client.ts';
import type { Env } from './env.ts';
import { codeOf } from './errors.ts';
import { observe, sharesText } from './observe.ts';
import { reportedVersion, sClient } from './openssl.ts';
import { fullChain } from './pki.ts';
import { probeCommand } from './probe-command.ts';
import { nginxGroupFact, sClientGroupFact } from './versions.ts';

/** Every name resolves to 127.0.0.1, so URLs can carry the real names (.test never resolves). */
const toLoopback: LookupFunction = (_host, options, callback) => {
  if ((options as { all?: boolean }).all) {
    (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [
      { address: '127.0.0.1', family: 4 },
    ]);
  } else callback(null, '127.0.0.1', 4);
};

/** An HTTP/2 server (HTTP/1.1 allowed) for alpha.test that answers with what it saw. */
function h2Server(pki: Env['pki'], log?: (kind: string, text: string) => void) {
  const server = createSecureServer(
    {
      key: pki.alpha.keyPem,
      cert: fullChain(pki.alpha),
      allowHTTP1: true,
      SNICallback: (name, cb) => {
        log?.('sni', `ClientHello, SNI ${name}`);
        cb(null, undefined); // the default context: alpha.test's certificate
      },
    },
    (req: Http2ServerRequest, res: Http2ServerResponse) => {
      const socket = req.socket as unknown as TLSSocket;
      log?.('request', `${req.method} ${req.url} over HTTP/${req.httpVersion}`);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          httpVersion: req.httpVersion,
          alpn: socket.alpnProtocol,
          sni: (socket as TLSSocket & { servername?: string }).servername,
          authority: req.headers[':authority'] ?? req.headers.host,
        }),
      );
    },
  );
  server.on('connection', () => log?.('tcp', 'TCP connection accepted'));
  server.on('secureConnection', (socket: TLSSocket) =>
    log?.('secure', `handshake done: ${socket.getProtocol()}, ALPN ${socket.alpnProtocol}`),
  );
  return server;
}

export const httpsStep = step<Env>(
  {
    id: 'https',
    section: 'https-end-to-end-alpn-picks-h2-or-http11',
    title: 'HTTPS end to end: undici trusts the private CA, ALPN picks h2 or HTTP/1.1',
  },
  async (t, { pki }) => {
    const server = h2Server(pki);
    const port = await listen(server);
    const agents: Agent[] = [];
    t.defer(async () => {
      await Promise.all(agents.map((a) => a.close()));
      await closeServer(server);
    });
    const get = async (allowH2: boolean, ca?: string) => {
      const agent = new Agent({ allowH2, connect: { ...(ca ? { ca } : {}), lookup: toLoopback } });
      agents.push(agent);
      const res = await request(`https://alpha.test:${port}/`, { dispatcher: agent });
      return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
    };
    const h2 = await get(true, pki.rootPem);
    const h1 = await get(false, pki.rootPem);
    t.block([
      '> GET https://alpha.test/  (Agent allowH2: true, connect: { ca })',
      `< ${h2.status} ${JSON.stringify(h2.body)}`,
      '> GET https://alpha.test/  (Agent allowH2: false, connect: { ca })',
      `< ${h1.status} ${JSON.stringify(h1.body)}`,
    ]);
    t.equal('the request succeeds with the private root passed as connect.ca', h2.status, 200);
    t.equal('undici sent the URL’s host as SNI', h2.body.sni, 'alpha.test');
    t.equal(
      'allowH2: true offers h2, the server picks it, and the request is HTTP/2',
      [h2.body.alpn, h2.body.httpVersion],
      ['h2', '2.0'],
    );
    t.equal(
      'allowH2: false offers only http/1.1, and the request is HTTP/1.1',
      [h1.body.alpn, h1.body.httpVersion],
      ['http/1.1', '1.1'],
    );
    await t.rejects(
      'without the private root undici refuses the connection with the chain error',
      () => get(true),
      { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' },
    );
  },
);

export const opensslStep = step<Env>(
  {
    id: 'openssl',
    section: 'a-second-implementation-openssl-and-nginx',
    title: 'openssl s_client, an independent client, sees what Node sees',
  },
  async (t, { sni, pki, caFile, opensslBinary }) => {
    const node = await handshake({ port: sni.port, servername: 'alpha.test', ca: pki.rootPem });
    // s_client's own choice of group depends on its OpenSSL; Node forced to X25519 compares like
    // with like on every stack.
    const nodeX25519 = await handshake({
      port: sni.port,
      servername: 'alpha.test',
      ca: pki.rootPem,
      ecdhCurve: 'X25519',
    });
    const before = sni.log.length;
    // Five independent openssl runs, started together (each is a process start).
    const [ok, mismatch, unchecked, noCa, noSni] = await Promise.all([
      sClient({ port: sni.port, servername: 'alpha.test', verifyHostname: 'alpha.test', caFile }),
      sClient({ port: sni.port, servername: 'alpha.test', verifyHostname: 'beta.test', caFile }),
      sClient({ port: sni.port, servername: 'gamma.test', caFile }),
      sClient({ port: sni.port, servername: 'alpha.test', verifyHostname: 'alpha.test' }),
      sClient({ port: sni.port }),
    ]);
    const sawSni = sni.log.slice(before).includes('SNICallback("alpha.test")');
    t.block([
      '$ openssl s_client -brief -servername alpha.test -verify_hostname alpha.test -CAfile root-ca.pem',
      ...[...ok].map(([k, v]) => `  ${k}: ${v}`),
    ]);
    t.table(
      ['', 'openssl s_client', 'Node tls.connect'],
      [
        ['protocol', ok.get('Protocol version'), node.protocol],
        ['cipher', ok.get('Ciphersuite'), node.cipher],
        [
          'temp key',
          ok.get('Server Temp Key'),
          `${node.group} (default), ${nodeX25519.group} (forced)`,
        ],
        ['peer', ok.get('Peer certificate'), node.chain[0]?.subject],
        ['verified', ok.get('Verification'), node.authorized],
      ],
    );
    t.equal(
      'openssl verifies the chain and the name',
      [ok.get('Verification'), ok.get('Verified peername')],
      ['OK', 'alpha.test'],
    );
    t.equal(
      'same protocol and cipher suite as Node',
      [ok.get('Protocol version'), ok.get('Ciphersuite')],
      [node.protocol, node.cipher],
    );
    const words = expectedFor(sClientGroupFact, opensslBinary);
    t.equal(
      `the openssl binary (${words.when}) names the group it negotiated: ${words.value}`,
      `Server Temp Key: ${ok.get('Server Temp Key')}`,
      words.value,
    );
    t.equal(
      'Node forced to X25519 reports the same group in the same words',
      nodeX25519.group,
      ok.get('Server Temp Key'),
    );
    t.equal(
      'same certificate',
      ok.get('Peer certificate')?.replace(/ = /, '='),
      node.chain[0]?.subject,
    );
    t.check('the demo’s server logged the SNI openssl sent', sawSni);

    t.equal(
      'with -verify_hostname beta.test the same certificate fails the name check',
      mismatch.get('Verification error'),
      'hostname mismatch',
    );
    const nodeGamma = await handshake({
      port: sni.port,
      servername: 'gamma.test',
      ca: pki.rootPem,
    }).catch((e) => e);
    t.equal(
      'without -verify_hostname openssl accepts default.test’s certificate for gamma.test',
      [unchecked.get('Peer certificate'), unchecked.get('Verification')],
      ['CN = default.test', 'OK'],
    );
    t.equal(
      '…where Node, which always checks the name, refuses it',
      codeOf(nodeGamma),
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    t.equal(
      'without -CAfile openssl cannot find the private root either',
      noCa.get('Verification error'),
      'unable to get local issuer certificate',
    );
    t.equal(
      '-noservername gets the default certificate, as Node did by IP',
      noSni.get('Peer certificate'),
      'CN = default.test',
    );
  },
);

export const nginxStep = step<Env>(
  {
    id: 'nginx',
    section: 'a-second-implementation-openssl-and-nginx',
    title: 'nginx, an independent server: two SNI names, checked by Node, openssl and probe',
    needs: ['nginx'],
  },
  async (t) => {
    const port = endpoints.nginxTlsPort;
    const caFile = endpoints.nginxCaFile;
    const ca = readFileSync(caFile, 'utf8');
    const rows: string[][] = [];
    const names = ['alpha.test', 'beta.test'];
    const osslRuns = await Promise.all(
      names.map((name) => sClient({ port, servername: name, verifyHostname: name, caFile })),
    );
    for (const [i, name] of names.entries()) {
      const node = await handshake({ port, servername: name, ca });
      const ossl = osslRuns[i] as Awaited<ReturnType<typeof sClient>>;
      rows.push([
        name,
        node.chain[0]?.subject ?? '',
        String(node.authorized),
        ossl.get('Peer certificate') ?? '',
        ossl.get('Verification') ?? '',
        node.protocol ?? '',
        ossl.get('Protocol version') ?? '',
      ]);
      t.equal(
        `nginx serves ${name}’s certificate for SNI ${name}, trusted by Node`,
        [node.chain[0]?.subject, node.authorized],
        [`CN=${name}`, true],
      );
      t.equal(
        `openssl agrees for ${name}: same certificate, verified, same protocol`,
        [ossl.get('Peer certificate'), ossl.get('Verification'), ossl.get('Protocol version')],
        [`CN = ${name}`, 'OK', node.protocol],
      );
    }
    t.table(
      ['SNI', 'Node: cert', 'Node: trusted', 'openssl: cert', 'openssl: verify', 'Node', 'openssl'],
      rows,
    );
    // nginx's OpenSSL, not Node's, decides which of the client's shares it can take.
    const [nginx, nginxOpenssl] = await Promise.all([
      reportedVersion(['nginx', '-V'], /nginx\/(\S+)/),
      reportedVersion(['nginx', '-V'], /running with OpenSSL (\S+)/),
    ]);
    if (nginx) t.uses('nginx', nginx);
    if (nginxOpenssl) t.uses('nginx openssl', nginxOpenssl);
    const viaDefault = await observe(port, { servername: 'alpha.test', ca });
    t.show("Node's default ClientHello to nginx, key_share", sharesText(viaDefault.hellos[0]));
    const picks = expectedFor(nginxGroupFact, nginxOpenssl ?? '?');
    t.equal(
      `nginx takes ${picks.value} from Node's default ClientHello (${picks.when})`,
      `${viaDefault.server.group}${viaDefault.server.helloRetry ? ', after a HelloRetryRequest' : ', without a HelloRetryRequest'}`,
      picks.value,
    );
    const noSni = await handshake({ port, ca, rejectUnauthorized: false });
    t.show('no SNI (by IP): nginx answers with', noSni.chain[0]?.subject);
    t.check(
      'with no SNI nginx answers with its default_server certificate, one of the two',
      ['CN=alpha.test', 'CN=beta.test'].includes(noSni.chain[0]?.subject ?? ''),
    );
    const out: string[] = [];
    const io = {
      style: { paint: {} } as never,
      out: (l: string) => out.push(l),
      err: (l: string) => out.push(l),
    };
    const code = await probeCommand.run(
      [`127.0.0.1:${port}`, '--servername', 'beta.test', '--ca', caFile],
      io,
    );
    t.block([
      '$ npx tsx demos/tls probe 127.0.0.1:8443 --servername beta.test --ca <nginx CA>',
      ...out.map((l) => `  ${l}`),
    ]);
    t.equal('the probe subcommand verifies nginx’s beta.test too (exit 0)', code, 0);
  },
);

export const setupStep = step<Env>(
  {
    id: 'setup',
    section: 'how-an-https-connection-is-set-up',
    title: 'How an HTTPS connection is set up: DNS, TCP, TLS, then HTTP, in that order',
  },
  async (t, { pki, watch }) => {
    const events: { kind: string; text: string }[] = [];
    const log = (kind: string, text: string) => events.push({ kind, text });
    const server = h2Server(pki, log);
    const port = await listen(server);
    const lookup: LookupFunction = (host, options, callback) => {
      log('dns', `lookup ${host} → 127.0.0.1`);
      toLoopback(host, options, callback);
    };
    const agent = new Agent({ allowH2: true, connect: { ca: pki.rootPem, lookup } });
    t.defer(async () => {
      await agent.close();
      await closeServer(server);
    });
    const before = watch.count();
    const res = await request(`https://alpha.test:${port}/items`, { dispatcher: agent });
    const body = (await res.body.json()) as Record<string, unknown>;
    const parties: Record<string, [string, string]> = {
      dns: ['client', 'resolver'],
      tcp: ['client', 'server'],
      sni: ['client', 'server'],
      secure: ['server', 'client'],
      request: ['client', 'server'],
    };
    t.figure({
      kind: 'sequence',
      title: 'GET https://alpha.test/items, as the two ends logged it',
      parties: ['client', 'resolver', 'server'],
      messages: events.map(({ kind, text }) => {
        const [from, to] = parties[kind] ?? ['client', 'server'];
        const secrecy = kind === 'request' ? 'encrypted' : kind === 'sni' ? 'clear' : undefined;
        return { from, to, label: text, ...(secrecy ? { secrecy } : {}) };
      }),
    });
    t.equal(
      'the order is DNS, TCP, the ClientHello, the finished handshake, and only then the request',
      events.map((e) => e.kind),
      ['dns', 'tcp', 'sni', 'secure', 'request'],
    );
    t.equal(
      'the ClientHello named the URL’s host, and the request’s :authority is that same name',
      [body.sni, String(body.authority).replace(`:${port}`, '')],
      ['alpha.test', 'alpha.test'],
    );
    t.equal(
      'ALPN settled HTTP/2 inside the handshake: the first request was already h2',
      [body.alpn, body.httpVersion, res.statusCode],
      ['h2', '2.0', 200],
    );
    t.equal(
      'no CA was contacted while the connection was set up (the AIA/CRL/OCSP listener saw 0 connections)',
      watch.count() - before,
      0,
    );
  },
);
