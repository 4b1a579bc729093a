// A tempting fix: take the key from the token when it brings one, else look it up by kid.

import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet, EmbeddedJWK } from 'jose';

export function keyLookup(jwks: JSONWebKeySet): JWTVerifyGetKey {
  const local = createLocalJWKSet(jwks);
  return (header, token) => (header.jwk ? EmbeddedJWK(header, token) : local(header, token));
}
