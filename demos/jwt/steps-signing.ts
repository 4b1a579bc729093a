// Steps on the token itself: its anatomy, HMAC signing, and the RFC 7515 test vector.

import { createHmac, randomBytes } from 'node:crypto';
import { base64url, jwtVerify, SignJWT } from 'jose';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { hmacSecret, MIN_HS256_SECRET_BYTES } from './keys.ts';
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
    const secret = randomBytes(MIN_HS256_SECRET_BYTES);
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
    const secret = hmacSecret(randomBytes(MIN_HS256_SECRET_BYTES));
    const token = await new SignJWT({ sub: 'alice' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(secret);
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    t.equal('a token verifies with the 32-byte secret that signed it', payload.sub, 'alice');
    await t.rejects(
      'the same token fails against another 32-byte secret',
      () => jwtVerify(token, randomBytes(MIN_HS256_SECRET_BYTES), { algorithms: ['HS256'] }),
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
      `the demo's policy refuses HS256 secrets under ${MIN_HS256_SECRET_BYTES} bytes (RFC 7518 §3.2)`,
      () => hmacSecret('s3cret'),
      'WEAK_HMAC_SECRET',
    );
  },
);

/** RFC 7515 Appendix A.1, used verbatim: its JSON contains CR LF, so re-serialising would not match. */
export const RFC7515_A1 = {
  key: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
  token:
    'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9' +
    '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
    '.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
};

/** Flips one bit of a base64url string's first character, keeping it valid base64url. */
export function flipOneBit(segment: string): string {
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
