// SNI chooses the certificate (and who fills it in), and the ClientHello crosses the wire in clear.

import { request as httpsRequest } from 'node:https';
import { type ConnectionOptions, connect } from 'node:tls';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { handshake } from './client.ts';
import type { Env } from './env.ts';
import { observe, sharesText } from './observe.ts';
import type { ServerView, SniServer } from './servers.ts';
import { keySharesFact, supportedGroupsFact } from './versions.ts';

export const sniStep = step<Env>(
  {
    id: 'sni',
    section: 'sni-one-address-many-certificates',
    title: 'SNI picks the certificate: one port, two names, two certificates',
  },
  async (t, { sni, pki }) => {
    const ca = pki.rootPem;
    const ask = async (servername: string | undefined) => {
      const before = sni.log.filter((l) => l.startsWith('SNICallback')).length;
      let view: ServerView | undefined;
      const facts = await handshake(
        { port: sni.port, ...(servername ? { servername } : {}), ca, rejectUnauthorized: false },
        async (f) => {
          view = await sni.view(f.localPort);
        },
      );
      const calls = sni.log.filter((l) => l.startsWith('SNICallback')).length - before;
      return { facts, view: view as ServerView, calls };
    };
    const alpha = await ask('alpha.test');
    const beta = await ask('beta.test');
    const byIp = await ask(undefined);
    t.say('Three clients connect to the same 127.0.0.1 port; only the name they send differs.');
    t.table(
      ['client sent SNI', 'server saw', 'certificate', 'SAN', 'verified'],
      [
        [
          'alpha.test',
          alpha.view.servername,
          alpha.facts.chain[0]?.subject,
          alpha.facts.chain[0]?.sans,
          alpha.facts.authorized,
        ],
        [
          'beta.test',
          beta.view.servername,
          beta.facts.chain[0]?.subject,
          beta.facts.chain[0]?.sans,
          beta.facts.authorized,
        ],
        [
          '(none: by IP)',
          byIp.view.servername || 'none',
          byIp.facts.chain[0]?.subject,
          byIp.facts.chain[0]?.sans,
          byIp.facts.authorizationError ?? byIp.facts.authorized,
        ],
      ],
    );
    t.block(sni.log.slice(-5).map((l) => `server log: ${l}`));
    t.equal(
      'asking for alpha.test returns the alpha.test certificate',
      alpha.facts.chain[0]?.subject,
      'CN=alpha.test',
    );
    t.equal(
      'asking for beta.test on the same port returns the beta.test certificate',
      beta.facts.chain[0]?.subject,
      'CN=beta.test',
    );
    t.check(
      'the two certificates are different certificates (different SHA-256 fingerprints)',
      alpha.facts.chain[0]?.fingerprint256 !== beta.facts.chain[0]?.fingerprint256,
    );
    t.equal(
      'the server saw the name each client sent',
      [alpha.view.servername, beta.view.servername],
      ['alpha.test', 'beta.test'],
    );
    t.equal(
      'a client connecting by IP sends no SNI: the server saw none',
      byIp.view.servername,
      false,
    );
    t.equal('with no SNI, SNICallback is never called', byIp.calls, 0);
    t.equal(
      'with no SNI the server falls back to its default certificate',
      byIp.facts.chain[0]?.subject,
      'CN=default.test',
    );
    t.equal(
      'that default certificate fails Node’s name check for 127.0.0.1',
      byIp.facts.authorizationError,
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );

    // Who fills in the name when the caller gives none: tls.connect does not; https's agent does.
    const defaults = await sniDefaults(sni, pki.rootPem);
    t.say('The same server, connected to without any servername option:');
    t.table(
      ['client call (no servername)', 'SNI the server saw'],
      defaults.map(([call, seen]) => [call, seen === false ? 'none' : seen]),
    );
    const [tlsByName, tlsByIp, httpsByName, httpsByIp] = defaults.map(([, seen]) => seen);
    t.equal(
      "tls.connect({ host: 'localhost' }) sends no SNI: host is not copied into servername",
      tlsByName,
      false,
    );
    t.equal("tls.connect({ host: '127.0.0.1' }) sends none either", tlsByIp, false);
    t.equal(
      "https.request({ host: 'localhost' }) sends SNI localhost: the https agent fills servername in",
      httpsByName,
      'localhost',
    );
    t.equal(
      "…but not for an IP: https.request({ host: '127.0.0.1' }) sends none",
      httpsByIp,
      false,
    );
  },
);

/** What SNI the server saw for clients that pass no servername. */
async function sniDefaults(sni: SniServer, ca: string): Promise<[string, string | false][]> {
  const viaTls = (host: string) =>
    new Promise<number>((resolve, reject) => {
      // family 4: the server listens on 127.0.0.1 only, and localhost may resolve to ::1 first.
      const options = { host, port: sni.port, family: 4, ca, rejectUnauthorized: false };
      const socket = connect(options as ConnectionOptions);
      socket.once('secureConnect', () => {
        resolve(socket.localPort ?? 0);
        void sni.view(socket.localPort ?? 0).finally(() => socket.end());
      });
      socket.once('error', reject);
    });
  const viaHttps = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = httpsRequest({
        host,
        port: sni.port,
        family: 4,
        ca,
        rejectUnauthorized: false,
        agent: false,
      });
      // The SNI server speaks no HTTP: close once the server has logged the handshake.
      req.once('socket', (socket) =>
        socket.once('secureConnect', () => {
          resolve(socket.localPort ?? 0);
          void sni.view(socket.localPort ?? 0).finally(() => req.destroy());
        }),
      );
      req.on('error', reject); // destroy() after resolve makes a "socket hang up": ignored
      req.end();
    });
  const calls: [string, () => Promise<number>][] = [
    ["tls.connect({ host: 'localhost' })", () => viaTls('localhost')],
    ["tls.connect({ host: '127.0.0.1' })", () => viaTls('127.0.0.1')],
    ["https.request({ host: 'localhost' })", () => viaHttps('localhost')],
    ["https.request({ host: '127.0.0.1' })", () => viaHttps('127.0.0.1')],
  ];
  const rows: [string, string | false][] = [];
  for (const [call, run] of calls) rows.push([call, (await sni.view(await run())).servername]);
  return rows;
}

export const clientHelloStep = step<Env>(
  {
    id: 'clienthello',
    section: 'the-clienthello-is-cleartext',
    title: 'The ClientHello crosses the wire in clear: SNI, ALPN, versions, key shares',
  },
  async (t, { sni, pki }) => {
    const offered = ['h2', 'http/1.1'];
    let raw: Buffer = Buffer.alloc(0);
    const o = await observe(
      sni.port,
      { servername: 'alpha.test', ca: pki.rootPem, ALPNProtocols: offered },
      async (relay) => {
        raw = (await sni.hello(relay.upstreamPort())).raw;
      },
    );
    const hello = o.hellos[0];
    const at = raw.indexOf('alpha.test');
    t.say('The front door read the first TLS record off the TCP socket before the TLS server did:');
    t.block(hexAround(raw, at, 'alpha.test'));
    t.table(
      ['field (RFC 8446 §4.1.2)', 'decoded from the raw bytes'],
      [
        ['record', `handshake, ${raw.length} bytes`],
        ['legacy_version', hello?.legacyVersion],
        ['server_name (ext 0)', hello?.serverName ?? '(absent)'],
        ['ALPN (ext 16)', hello?.alpn],
        ['supported_versions (ext 43)', hello?.supportedVersions],
        ['supported_groups (ext 10)', hello?.supportedGroups.join(', ')],
        ['key_share (ext 51)', sharesText(hello)],
        ['cipher suites offered', hello?.cipherSuites],
      ],
    );
    t.check('the name alpha.test is in the raw bytes as plain ASCII', at >= 0, 'not found');
    t.equal(
      'the hand-written parser finds it in the server_name extension',
      hello?.serverName,
      'alpha.test',
    );
    t.equal(
      'the ALPN list is readable too, exactly as the client offered it',
      hello?.alpn,
      offered,
    );
    t.equal(
      'legacy_version still says TLS 1.2; TLS 1.3 is offered in supported_versions',
      [hello?.legacyVersion, hello?.supportedVersions.includes('TLSv1.3')],
      ['TLSv1.2', true],
    );
    const openssl = process.versions.openssl;
    const shares = expectedFor(keySharesFact, openssl);
    t.equal(
      `the default ClientHello carries the key shares ${shares.value} (${shares.when})`,
      sharesText(hello),
      shares.value,
    );
    const groups = expectedFor(supportedGroupsFact, openssl);
    t.equal(
      `supported_groups in the default ClientHello, in order: ${groups.value} (${groups.when})`,
      hello?.supportedGroups.join(', '),
      groups.value,
    );
    t.equal(
      'it offers cipher suites and carries a 32-byte client random',
      [Boolean(hello?.cipherSuites), hello?.random.length],
      [true, 32],
    );
    t.check(
      'the client sent a key share for the group the handshake then used',
      !o.server.helloRetry && Boolean(hello?.keyShares.some((k) => k.group === o.server.group)),
      `ServerHello chose ${o.server.group}; shares ${sharesText(hello)}`,
    );
    const ipHello = await sniHelloByIp(sni, pki.rootPem);
    t.check(
      'a ClientHello sent to an IP carries no server_name extension',
      !ipHello.extensions.includes(0),
    );
    t.say(
      'Encrypted Client Hello (ECH, RFC 9849) is the fix: the real SNI travels inside an encrypted inner ClientHello. No Node line here (OpenSSL 3.0 and 3.5) implements it.',
    );
  },
);

async function sniHelloByIp(sni: Env['sni'], ca: string) {
  let port = 0;
  await handshake({ port: sni.port, ca, rejectUnauthorized: false }, (f) => {
    port = f.localPort;
  });
  return sni.hello(port);
}

/** A hex dump of the bytes around `at`, with the ASCII beside it, as a reader would look. */
function hexAround(raw: Buffer, at: number, label: string): string[] {
  const start = Math.max(0, at - (at % 16) - 16);
  const lines: string[] = [
    `bytes ${start}–${start + 47} of the ClientHello (${label} at offset ${at}):`,
  ];
  for (let o = start; o < Math.min(raw.length, start + 48); o += 16) {
    const row = raw.subarray(o, o + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row]
      .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'))
      .join('');
    lines.push(`${o.toString(16).padStart(4, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines;
}
