// How the orders API checks an access token before it answers: jose checks only what it is asked
// to, so the call names everything — the one algorithm, issuer, audience, type and the claims
// that must exist.

import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { jwtVerify } from 'jose';

export async function verifyAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  o: { issuer: string; audience: string },
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys, {
    algorithms: ['ES256'],
    issuer: o.issuer,
    audience: o.audience,
    typ: 'at+jwt',
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
  });
  return payload;
}
