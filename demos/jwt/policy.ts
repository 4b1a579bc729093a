// How the app server verifies an access token. jose checks only what it is asked to, so the
// policy names everything: the one algorithm, issuer, audience, type and the claims that must exist.

import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import { jwtVerify } from 'jose/jwt/verify';
import { SIGNING_ALG } from './keys.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface Audience {
  issuer: string;
  audience: string;
}

interface VerifyOptions extends Audience {
  currentDate?: Date;
  clockTolerance?: number;
}

export async function verifyAccessToken(
  token: string,
  keys: JWTVerifyGetKey,
  o: VerifyOptions,
): Promise<JWTPayload> {
  const { payload } = await jwtVerify(token, keys, {
    algorithms: [SIGNING_ALG],
    issuer: o.issuer,
    audience: o.audience,
    typ: ACCESS_TOKEN_TYPE,
    requiredClaims: ['exp', 'iat', 'sub', 'jti'],
    clockTolerance: o.clockTolerance ?? 5,
    currentDate: o.currentDate,
  });
  return payload;
}

export function hasScope(payload: JWTPayload, scope: string): boolean {
  return typeof payload.scope === 'string' && payload.scope.split(' ').includes(scope);
}
