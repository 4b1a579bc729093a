// Steps on the token itself: its anatomy, HMAC signing, and the RFC 7515 test vector.

import { createHmac, randomBytes } from 'node:crypto';
import * as base64url from 'jose/base64url';
import { SignJWT } from 'jose/jwt/sign';
import { jwtVerify } from 'jose/jwt/verify';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { hmacSecret, MIN_HMAC_SECRET_BYTES } from './keys.ts';
import { readToken } from './token-text.ts';

const hmac = (key: Uint8Array, input: string) =>
  createHmac('sha256', key).update(input).digest('base64url');

export const anatomyStep = step<Env>(
  {
    id: 'anatomy',
    section: 'anatomy-three-base64url-parts',
    title: 'A JWT is three base64url parts, and anyone can read them',
  },
  async (t) => {
    const secret = randomBytes(MIN_HMAC_SECRET_BYTES.HS256);
    const token = await new SignJWT({
      sub: 'alice',
      name: 'Alice',
      admin: false,
      iat: 1_700_000_000,
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(secret);
    const { header, payload, segments } = readToken(token);
    const [h, p, s] = segments;
    t.say('The token as it travels, one part per line (header . payload . signature):');
    t.block([h, `.${p}`, `.${s}`]);
    t.show('header', header);
    t.show('payload', payload);
    t.equal('a compact JWT is three parts joined by dots', token.split('.').length, 3);
    t.check(
      'every part uses the base64url alphabet (A-Z a-z 0-9 - _) with no = padding',
      segments.every((part) => /^[A-Za-z0-9_-]+$/.test(part)),
    );
    t.equal(
      'the payload decodes without any key: it is signed, not encrypted',
      payload.sub,
      'alice',
    );
    t.equal(
      'the header names the algorithm and the type',
      { alg: header.alg, typ: header.typ },
      { alg: 'HS256', typ: 'JWT' },
    );
    t.equal(
      'the signature is HMAC-SHA256 of "header.payload": a MAC anyone with the key recomputes, not a cipher',
      s,
      hmac(secret, `${h}.${p}`),
    );
  },
);

export const hs256Step = step<Env>(
  {
    id: 'hs256',
    section: 'hs256-and-the-shared-secret',
    title: 'HS256: one secret signs and verifies, so it must be long',
  },
  async (t) => {
    const secret = hmacSecret(randomBytes(MIN_HMAC_SECRET_BYTES.HS256));
    const token = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    t.equal('a token verifies with the 32-byte secret that signed it', payload.sub, 'alice');
    await t.rejects(
      'the same token fails against another 32-byte secret',
      () => jwtVerify(token, randomBytes(MIN_HMAC_SECRET_BYTES.HS256), { algorithms: ['HS256'] }),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );

    const weak = Uint8Array.of(randomBytes(1)[0] as number);
    const weakToken = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(weak);
    const accepted = await jwtVerify(weakToken, weak, { algorithms: ['HS256'] });
    t.equal(
      'jose signs and verifies with a 1-byte secret: the library sets no minimum',
      accepted.payload.sub,
      'alice',
    );
    // Anyone holding one token can search the key space offline; 256 candidates take milliseconds.
    const [h, p, s] = weakToken.split('.') as [string, string, string];
    const found = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)).find(
      (k) => hmac(k, `${h}.${p}`) === s,
    );
    t.say(
      `Trying all 256 one-byte keys against the token finds the secret 0x${found?.[0]?.toString(16).padStart(2, '0')}.`,
    );
    t.equal('a 1-byte secret is recovered from a single token by trying every value', found, weak);
    await t.rejects(
      `the demo's policy refuses HS256 secrets under ${MIN_HMAC_SECRET_BYTES.HS256} bytes (RFC 7518 §3.2)`,
      () => hmacSecret('s3cret'),
      'WEAK_HMAC_SECRET',
    );

    // The minimum is the hash size, so it grows with the algorithm; 32 bytes is HS256's figure.
    const bytes32 = randomBytes(MIN_HMAC_SECRET_BYTES.HS256);
    const hs512 = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(bytes32);
    const lax = await jwtVerify(hs512, bytes32, { algorithms: ['HS512'] });
    t.equal('jose signs and verifies HS512 with a 32-byte secret too', lax.payload.sub, 'alice');
    t.table(
      ['alg', 'RFC 7518 §3.2 minimum', 'policy, 32-byte secret', 'policy, minimum-length secret'],
      (['HS256', 'HS384', 'HS512'] as const).map((alg) => [
        alg,
        `${MIN_HMAC_SECRET_BYTES[alg]} bytes`,
        verdict(() => hmacSecret(bytes32, alg)),
        verdict(() => hmacSecret(randomBytes(MIN_HMAC_SECRET_BYTES[alg]), alg)),
      ]),
    );
    await t.rejects(
      'the policy refuses that 32-byte secret for HS384: it needs 48 bytes, the SHA-384 output',
      () => hmacSecret(bytes32, 'HS384'),
      { code: 'WEAK_HMAC_SECRET', message: 'at least 48' },
    );
    await t.rejects(
      'and for HS512: it needs 64 bytes, the SHA-512 output',
      () => hmacSecret(bytes32, 'HS512'),
      { code: 'WEAK_HMAC_SECRET', message: 'at least 64' },
    );
    t.equal(
      'a 64-byte secret passes the policy for HS512',
      hmacSecret(randomBytes(MIN_HMAC_SECRET_BYTES.HS512), 'HS512').length,
      64,
    );
  },
);

/** "accepted" or the policy's refusal, for a table row. */
function verdict(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return `refused (${(err as { code?: string }).code})`;
  }
}

/** RFC 7515 Appendix A.1, used verbatim: its JSON contains CR LF, so re-serialising would not match. */
export const RFC7515_A1 = {
  key: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
  token:
    'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
    '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
    '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
};

/** Flips one bit of a base64url string's first character, keeping it valid base64url. */
function flipOneBit(segment: string): string {
  const bytes = base64url.decode(segment);
  bytes[0] = (bytes[0] as number) ^ 1;
  return base64url.encode(bytes);
}

export const testVectorStep = step<Env>(
  {
    id: 'test-vector',
    section: 'the-rfc-7515-test-vector',
    title: 'The RFC 7515 A.1 test vector verifies, and one flipped bit breaks it',
  },
  async (t) => {
    const key = base64url.decode(RFC7515_A1.key);
    const [h, p, s] = RFC7515_A1.token.split('.') as [string, string, string];
    const before = new Date('2011-03-22T18:00:00Z');
    t.show('header', Buffer.from(h, 'base64url').toString('utf8').replace(/\r\n/g, '\\r\\n'));
    t.equal(
      'HMAC-SHA256 of its first two parts reproduces the published signature',
      hmac(key, `${h}.${p}`),
      s,
    );
    const { payload } = await jwtVerify(RFC7515_A1.token, key, { currentDate: before });
    t.equal(
      'jose verifies it with the published key at a date before its exp (2011-03-22T18:43:00Z)',
      payload.iss,
      'joe',
    );
    await t.rejects(
      'at any later date it is rejected as expired',
      () => jwtVerify(RFC7515_A1.token, key),
      'ERR_JWT_EXPIRED',
    );
    const tampered = `${h}.${p}.${flipOneBit(s)}`;
    await t.rejects(
      'one bit changed in the signature fails verification',
      () => jwtVerify(tampered, key, { currentDate: before }),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
  },
);

export const ed25519Step = step<Env>(
  {
    id: 'ed25519',
    section: 'algorithm-names-ed25519-not-eddsa',
    title: 'Ed25519, the fully-specified name (RFC 9864), and the deprecated EdDSA',
  },
  async (t) => {
    const { privateKey, publicKey } = await generateKeyPair('Ed25519');
    const signed = (alg: string) =>
      new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg }).sign(privateKey);
    const ed25519 = await signed('Ed25519');
    const eddsa = await signed('EdDSA');
    const outcome = (token: string, alg: string) =>
      jwtVerify(token, publicKey, { algorithms: [alg] }).then(
        (r) => `verified (${r.protectedHeader.alg})`,
        (e) => (e as { code?: string }).code ?? String(e),
      );
    const rows = [];
    for (const [label, token] of [
      ['alg Ed25519', ed25519],
      ['alg EdDSA', eddsa],
    ] as const) {
      rows.push([label, await outcome(token, 'Ed25519'), await outcome(token, 'EdDSA')]);
    }
    t.table(['token (same Ed25519 key)', "algorithms: ['Ed25519']", "algorithms: ['EdDSA']"], rows);
    t.equal(
      'jose signs and verifies a token with the fully-specified alg "Ed25519" (RFC 9864)',
      rows[0]?.[1],
      'verified (Ed25519)',
    );
    t.equal(
      'it still accepts the deprecated "EdDSA" for the same key, when that name is allowed',
      rows[1]?.[2],
      'verified (EdDSA)',
    );
    t.equal(
      'an allowlist of one name refuses the other: pin the name your issuer emits',
      [rows[1]?.[1], rows[0]?.[2]],
      ['ERR_JOSE_ALG_NOT_ALLOWED', 'ERR_JOSE_ALG_NOT_ALLOWED'],
    );
  },
);
