// Lab: a verifier that lets the token's own header decide how it is checked. The claims are the
// attacks step's: tokens forged as an attacker would, against the learner's verifyAccessToken.

import { pathToFileURL } from 'node:url';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose/jwks/local';
import { defineLab } from '../../../kit/lab.ts';
import { newSigningKey, SIGNING_ALG } from '../../keys.ts';
import { ACCESS_TOKEN_TYPE } from '../../policy.ts';
import { epoch, sign, unsigned } from '../../tokens.ts';

type Verify = (
  token: string,
  keys: JWTVerifyGetKey,
  o: { issuer: string; audience: string },
) => Promise<JWTPayload>;

export const lab = defineLab(import.meta.url, {
  id: 'pin-algorithms',
  title: 'Refuse forged access tokens',
  task: 'A pen test got in with an alg "none" token: make verify.ts accept only real access tokens for this API.',
  section: 'attacks-a-verifier-must-refuse',
  files: ['verify.ts'],
  startFails: 'alg "none" is refused',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/verify.ts`).href)) as {
      verifyAccessToken?: Verify;
    };
    const verifyAccessToken = mod.verifyAccessToken;
    if (typeof verifyAccessToken !== 'function')
      throw new Error('verify.ts must export the function verifyAccessToken');
    const key = await newSigningKey('lab-key');
    const keys = createLocalJWKSet({ keys: [key.publicJwk] });
    const o = { issuer: 'https://auth.example', audience: 'orders-api' };
    const now = epoch(new Date());
    const claims = {
      iss: o.issuer,
      aud: o.audience,
      sub: 'alice',
      iat: now,
      exp: now + 300,
      jti: 'j1',
    };
    const mint = (payload: JWTPayload = claims, typ = ACCESS_TOKEN_TYPE) =>
      sign(key.privateKey, payload, { alg: SIGNING_ALG, kid: key.kid, typ });
    const verify = (token: string) => verifyAccessToken(token, keys, o);
    // Refused means it throws; what it returned otherwise is the evidence.
    const refuses = async (claim: string, token: string) => {
      try {
        const accepted = await verify(token);
        t.check(claim, false, `accepted, returning ${JSON.stringify(accepted)}`);
      } catch {
        t.check(claim, true);
      }
    };

    t.equal('a genuine access token verifies', (await verify(await mint())).sub, 'alice');
    await refuses('alg "none" is refused', unsigned(claims, ACCESS_TOKEN_TYPE));
    await refuses(
      'a token for another audience is refused',
      await mint({ ...claims, aud: 'billing-api' }),
    );
    await refuses(
      'a token from another issuer is refused',
      await mint({ ...claims, iss: 'https://evil.example' }),
    );
    await refuses('an ID token (typ JWT, not at+jwt) is refused', await mint(claims, 'JWT'));
    const { exp: _, ...forever } = claims;
    await refuses('a token without exp is refused', await mint(forever));
  },
  hints: [
    {
      claim: 'a genuine access token verifies',
      ladder: [
        'Your verifier refused a token the auth server really signed for this API.',
        'Compare what you pin with what a genuine token carries: alg ES256, typ at+jwt, iss, aud, exp, iat, sub, jti.',
      ],
    },
    {
      claim: 'alg "none" is refused',
      ladder: [
        'Your verifier returned the claims of a token with alg "none" and an empty signature: anyone can write one.',
        'Never let the token choose how it is checked (RFC 8725 §2.1, §3.1): the verifier decides which algorithms it takes.',
        "Drop the branch on the header's alg and give jose's jwtVerify `algorithms: ['ES256']`.",
      ],
    },
    {
      claim: 'a token for another audience is refused',
      ladder: [
        'A token the same auth server minted for billing-api was accepted by orders-api.',
        'jose checks aud and iss only when it is asked to (RFC 7519 §4.1.3; RFC 8725 §3.9).',
        'Pass `audience: o.audience` (and `issuer: o.issuer`) to jwtVerify.',
      ],
    },
    {
      claim: 'a token from another issuer is refused',
      ladder: [
        'A token whose iss is another server was accepted.',
        'Pin the issuer as well as the audience (RFC 8725 §3.8).',
        'Pass `issuer: o.issuer` to jwtVerify.',
      ],
    },
    {
      claim: 'an ID token (typ JWT, not at+jwt) is refused',
      ladder: [
        'A token signed by the same key for another purpose (typ JWT) passed as an access token.',
        'RFC 9068 access tokens carry typ at+jwt; RFC 8725 §3.11 says to pin the type.',
        "Pass `typ: 'at+jwt'` to jwtVerify.",
      ],
    },
    {
      claim: 'a token without exp is refused',
      ladder: [
        'A token with no exp was accepted: it never expires.',
        'jose checks exp when the token has one; it only requires claims you list.',
        "Pass `requiredClaims: ['exp', 'iat', 'sub', 'jti']` to jwtVerify.",
      ],
    },
  ],
  wrong: [
    {
      case: 'blocklist-none',
      fails: 'a token for another audience is refused',
      why: 'refusing "none" by name leaves iss, aud and typ unchecked: jose checks them only when asked',
    },
    {
      case: 'catch-error',
      fails: 'alg "none" is refused',
      why: 'decoding the token when verification fails accepts whatever an attacker sends',
    },
  ],
});
