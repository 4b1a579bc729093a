// The probe subcommand against three servers: the demo's own (in-process), `openssl s_server`
// (spawned, then killed), and nothing at all; plus the bad-input cases that must exit 2.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { freePort } from '../kit/net.ts';
import { expectedFor } from '../kit/versions.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { type SServer, startSServer } from './openssl.ts';
import { probeCommand } from './probe-command.ts';
import { keyInfoFact } from './versions.ts';

async function probe(argv: string[]) {
  const io = captureIO();
  const code = await probeCommand.run(argv, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr };
}

let env: Env;
beforeAll(async () => {
  env = await openEnv({ available: new Set(), uses: () => {} });
});
afterAll(async () => {
  await closeEnv(env);
});

describe('probe against the demo’s SNI server', () => {
  it('verifies alpha.test with --ca and explains the handshake (exit 0)', async () => {
    const r = await probe([
      `127.0.0.1:${env.sni.port}`,
      '--servername',
      'alpha.test',
      '--ca',
      env.caFile,
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Protocol version: TLSv1.3');
    // How the group is reported depends on what this Node's getEphemeralKeyInfo() gives.
    const groupLine: Record<string, string> = {
      '{"type":"ECDH","name":"X25519","size":253}': 'Server Temp Key: X25519, 253 bits',
      '{}': 'Negotiated TLS1.3 group: not reported',
      '{"type":"TLSGroup","name":"X25519MLKEM768"}': 'Negotiated TLS1.3 group: X25519MLKEM768',
    };
    const reported = expectedFor(keyInfoFact, process.versions.node).value;
    expect(r.out).toContain(groupLine[reported]);
    expect(r.out).toContain('0 subject CN=alpha.test');
    expect(r.out).toContain('SAN alpha.test');
    expect(r.out).toContain('Verification: OK');
    expect(r.out).toContain(`Trust anchors: --ca ${env.caFile}`);
  });

  it('reports the negotiated ALPN and a forced TLS 1.2', async () => {
    const r = await probe([
      `127.0.0.1:${env.sni.port}`,
      '--servername',
      'beta.test',
      '--ca',
      env.caFile,
      '--alpn',
      'http/1.1',
      '--tls1.2',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Protocol version: TLSv1.2');
    expect(r.out).toContain('ALPN protocol: http/1.1');
    expect(r.out).toContain('IANA: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256');
  });

  it('exits 1 with the code and its meaning when the private CA is not given', async () => {
    const r = await probe([`127.0.0.1:${env.sni.port}`, '--servername', 'alpha.test']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Verification error: UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
    expect(r.out).toMatch(/Trust anchors: Node's bundled Mozilla store \(\d+ roots\)/);
  });

  it('exits 1 for a trusted certificate with the wrong name', async () => {
    const r = await probe([
      `127.0.0.1:${env.sni.port}`,
      '--servername',
      'gamma.test',
      '--ca',
      env.caFile,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('0 subject CN=default.test');
    expect(r.out).toContain('Verification error: ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('exits 1 for an expired certificate', async () => {
    const r = await probe([
      `127.0.0.1:${env.sni.port}`,
      '--servername',
      'expired.test',
      '--ca',
      env.caFile,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('Verification error: CERT_HAS_EXPIRED');
  });

  it('exits 2 in one line when the handshake itself fails (no common ALPN)', async () => {
    const r = await probe([
      `127.0.0.1:${env.sni.port}`,
      '--servername',
      'alpha.test',
      '--alpn',
      'spdy/3',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toContain('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
  });
});

describe('probe against openssl s_server', () => {
  let server: SServer;
  beforeAll(async () => {
    const cert = env.tmp.write('alpha.crt', env.pki.alpha.certPem);
    const key = env.tmp.write('alpha.key', env.pki.alpha.keyPem);
    const chain = env.tmp.write('chain.pem', env.pki.intermediatePem);
    server = await startSServer({ cert, key, chain, extra: ['-alpn', 'h2,http/1.1'] });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('verifies the chain openssl serves, and reads ALPN and the group (exit 0)', async () => {
    const r = await probe([
      `127.0.0.1:${server.port}`,
      '--servername',
      'alpha.test',
      '--ca',
      env.caFile,
      '--alpn',
      'h2,http/1.1',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ALPN protocol: h2');
    expect(r.out).toContain('1 subject CN=Demo Intermediate CA');
    expect(r.out).toContain('Verified peername: alpha.test');
  });

  it('exits 1 when asked for a name the certificate does not carry', async () => {
    const r = await probe([
      `127.0.0.1:${server.port}`,
      '--servername',
      'beta.test',
      '--ca',
      env.caFile,
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});

describe('probe bad input and no connection (exit 2, one line)', () => {
  const cases: [string, string[], RegExp][] = [
    ['no address', [], /one <host:port>/],
    ['not host:port', ['example.test'], /example\.test.*host:port/],
    ['port out of range', ['127.0.0.1:70000'], /port 70000 is outside 1-65535/],
    ['port not a number', ['127.0.0.1:https'], /port "https" is not a number/],
    ['unknown flag', ['127.0.0.1:443', '--bogus'], /bogus/],
    ['unreadable --ca', ['127.0.0.1:443', '--ca', '/nonexistent/ca.pem'], /cannot read --ca/],
    ['IP as --servername', ['127.0.0.1:443', '--servername', '10.0.0.1'], /DNS name/],
    ['empty ALPN entry', ['127.0.0.1:443', '--alpn', 'h2,,x'], /--alpn/],
  ];
  for (const [name, argv, message] of cases) {
    it(name, async () => {
      const r = await probe(argv);
      expect(r.code).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(message);
      expect(r.out).toBe('');
    });
  }

  it('a closed port is "no connection"', async () => {
    const port = await freePort();
    const r = await probe([`127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toContain('ECONNREFUSED');
  });
});

describe('probe --help', () => {
  it('prints the usage and exits 0', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await probe([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toContain('Usage: npx tsx demos/tls probe <host:port>');
    }
  });
});
