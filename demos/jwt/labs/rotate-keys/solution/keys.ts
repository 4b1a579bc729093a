// The orders API finds the key that verifies a token in the auth server's JWKS: by the kid the
// token names, among the keys the auth server publishes (old and new, during a rotation).

import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose';

export function keyLookup(jwks: JSONWebKeySet): JWTVerifyGetKey {
  return createLocalJWKSet(jwks);
}
