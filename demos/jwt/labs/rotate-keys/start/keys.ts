// The orders API finds the key that verifies a token in the auth server's JWKS. Since the auth
// server rotated its signing key this morning, every new token is refused.

import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { importJWK } from 'jose';

export function keyLookup(jwks: JSONWebKeySet): JWTVerifyGetKey {
  // TODO: one key for every token, whatever key the token was signed with.
  const [first] = jwks.keys;
  return async () => importJWK(first ?? {}, 'ES256');
}
