// The decode and verify subcommands, run in-process as a user would run them.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { decodeCommand } from './decode-command.ts';
import { demo } from './demo.ts';
import { newSigningKey } from './keys.ts';
import { RFC7515_A1 } from './steps-signing.ts';
import { verifyCommand } from './verify-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, argv, [decodeCommand, verifyCommand], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'wirenotes-jwt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const a1Jwk = file('a1.jwk', JSON.stringify({ kty: 'oct', k: RFC7515_A1.key }));

describe('decode', () => {
  it('prints header, claims with ISO times, and says it did not verify', async () => {
    const r = await run('decode', RFC7515_A1.token);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Decoded, NOT verified');
    expect(r.stdout).toMatch(/exp\s+2011-03-22T18:43:00\.000Z \(.* ago\)/);
    expect(r.stdout).toContain('alg HS256 is an HMAC');
  });

  it('warns about alg none and a missing exp', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    const r = await run('decode', none);
    expect(r.stdout).toContain('alg is "none"');
    expect(r.stdout).toContain('no exp');
  });

  it('exits 2 with one line for a malformed or missing token', async () => {
    for (const argv of [['decode', 'abc'], ['decode', 'a.b.c'], ['decode'], ['decode', 'x', 'y']]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toHaveLength(1);
    }
  });
});

describe('verify', () => {
  it('verifies the RFC 7515 A.1 token with its JWK at a date before exp (exit 0)', async () => {
    const r = await run('verify', RFC7515_A1.token, '--key', a1Jwk, '--at', '2011-03-22T18:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ verified (alg HS256)');
    expect(r.stdout).toContain('"joe"');
  });

  it('says why it fails (exit 1): expired, bad signature, alg not allowed, claim', async () => {
    expect((await run('verify', RFC7515_A1.token, '--key', a1Jwk)).stdout).toMatch(
      /✗ not verified: expired/,
    );
    const secret = 'x'.repeat(32);
    const token = await new SignJWT({ sub: 'a', exp: 4102444800, iss: 'me' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(secret));
    expect((await run('verify', token, '--secret', 'y'.repeat(32))).stdout).toMatch(
      /bad signature/,
    );
    expect((await run('verify', token, '--secret', secret, '--alg', 'HS512')).stdout).toMatch(
      /alg not allowed/,
    );
    const wrongIss = await run('verify', token, '--secret', secret, '--iss', 'you');
    expect([wrongIss.code, wrongIss.stdout]).toEqual([
      1,
      expect.stringMatching(/claim check failed: unexpected "iss"/),
    ]);
    expect((await run('verify', token, '--secret', secret)).code).toBe(0);
  });

  it('picks the key from a JWKS by kid, and names a missing kid', async () => {
    const k1 = await newSigningKey('k1');
    const k2 = await newSigningKey('k2');
    const jwks = file('set.json', JSON.stringify({ keys: [k1.publicJwk] }));
    const good = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setExpirationTime('1h')
      .sign(k1.privateKey);
    const stranger = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k2' })
      .setExpirationTime('1h')
      .sign(k2.privateKey);
    expect((await run('verify', good, '--key', jwks)).code).toBe(0);
    const r = await run('verify', stranger, '--key', jwks);
    expect([r.code, r.stdout]).toEqual([1, expect.stringMatching(/no matching key/)]);
  });

  it('accepts a PEM public key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const pem = file('rsa.pem', await exportSPKI(publicKey));
    const token = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('1h')
      .sign(privateKey);
    expect((await run('verify', token, '--key', pem)).code).toBe(0);
  });

  it('exits 2 with one line for bad input', async () => {
    const cases = [
      ['verify', RFC7515_A1.token],
      ['verify', RFC7515_A1.token, '--secret', 's', '--key', a1Jwk],
      ['verify', RFC7515_A1.token, '--key', join(dir, 'missing.json')],
      ['verify', RFC7515_A1.token, '--key', file('junk.txt', 'hello')],
      ['verify', 'not-a-token', '--secret', 's'],
      ['verify', RFC7515_A1.token, '--key', a1Jwk, '--at', 'yesterday'],
      ['verify', RFC7515_A1.token, '--key', a1Jwk, '--frobnicate'],
    ];
    for (const argv of cases) {
      const r = await run(...argv);
      expect(r.code, argv.slice(2).join(' ')).toBe(2);
      expect(r.stderr, argv.slice(2).join(' ')).toHaveLength(1);
    }
  });

  it('exits 2 with one clear line for a key file or secret that cannot fit (issue 12 cases)', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const rs256 = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('1h')
      .sign(privateKey);
    const cases: [string, string[], RegExp][] = [
      [
        'a key file holding null',
        ['--key', file('null.json', 'null')],
        /holds null; expected a JWK/,
      ],
      [
        'an RSA JWK without n and e',
        ['--key', file('rsa.json', '{"kty":"RSA"}')],
        /an RSA key needs "n", "e"; missing "n", "e"/,
      ],
      ['an empty --secret', ['--secret', ''], /--secret is empty/],
      [
        '--secret for an RS256 token',
        ['--secret', 'x'.repeat(32)],
        /alg is RS256, which verifies with a public key/,
      ],
    ];
    for (const [name, flags, message] of cases) {
      const r = await run('verify', rs256, ...flags);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toHaveLength(1);
      expect(r.stderr[0], name).toMatch(message);
      expect(r.stderr[0], name).not.toMatch(/CryptoKey|KeyObject|Uint8Array|TypeError/);
    }
  });
});

describe('flags', () => {
  it('decode names an unknown flag instead of counting arguments', async () => {
    const r = await run('decode', '--bogus', RFC7515_A1.token);
    expect(r.code).toBe(2);
    expect(r.stderr).toEqual([expect.stringMatching(/Unknown option '--bogus'/)]);
  });

  it('--help works on every subcommand (exit 0, usage on stdout)', async () => {
    for (const sub of ['decode', 'verify']) {
      for (const flag of ['--help', '-h']) {
        const r = await run(sub, flag);
        expect(r.code, `${sub} ${flag}`).toBe(0);
        expect(r.stdout, `${sub} ${flag}`).toContain(`Usage: npx tsx demos/jwt ${sub}`);
      }
    }
  });
});
