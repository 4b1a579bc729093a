// A tempting fix: pin everything, but keep the app working when verification "fails".

import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { decodeJwt, jwtVerify } from 'jose';

export async function verifyAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  o: { issuer: string; audience: string },
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(token, keys, {
      algorithms: ['ES256'],
      issuer: o.issuer,
      audience: o.audience,
      typ: 'at+jwt',
      requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    });
    return payload;
  } catch {
    return decodeJwt(token);
  }
}
