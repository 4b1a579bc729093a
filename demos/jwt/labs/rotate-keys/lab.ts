// Lab: a key lookup that ignores kid, so every token signed after a rotation fails. The claims
// are the rotation and attacks steps': tokens signed with the ring's keys, and forgeries.

import { pathToFileURL } from 'node:url';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { jwtVerify } from 'jose/jwt/verify';
import { defineLab } from '../../../kit/lab.ts';
import { KeyRing, newSigningKey, SIGNING_ALG } from '../../keys.ts';
import { ACCESS_TOKEN_TYPE } from '../../policy.ts';
import { epoch, sign } from '../../tokens.ts';

export const lab = defineLab(import.meta.url, {
  id: 'rotate-keys',
  title: 'Keep verifying through a key rotation',
  task: 'After the auth server rotated its signing key, every new token fails: fix keys.ts so both keys verify, and nothing else does.',
  section: 'key-rotation',
  files: ['keys.ts'],
  startFails: 'after the rotation, a token signed with the new key verifies',
  check: async (t, dir) => {
    const mod = (await import(pathToFileURL(`${dir}/keys.ts`).href)) as {
      keyLookup?: (jwks: JSONWebKeySet) => JWTVerifyGetKey;
    };
    if (typeof mod.keyLookup !== 'function')
      throw new Error('keys.ts must export the function keyLookup');
    const ring = new KeyRing();
    const old = await newSigningKey('2026-11');
    ring.add(old);
    const fresh = await newSigningKey('2026-12');
    ring.add(fresh);
    const now = epoch(new Date());
    const claims = { sub: 'alice', iat: now, exp: now + 300 };
    const mint = (key: typeof old, header: Record<string, unknown> = {}) =>
      sign(key.privateKey, claims, {
        alg: SIGNING_ALG,
        kid: key.kid,
        typ: ACCESS_TOKEN_TYPE,
        ...header,
      });
    const getKey = mod.keyLookup(ring.jwks());
    const verified = async (token: string) => {
      try {
        return (await jwtVerify(token, getKey, { algorithms: [SIGNING_ALG] })).payload.sub ?? '';
      } catch (err) {
        return `refused: ${(err as Error).message}`;
      }
    };
    t.equal(
      'a token signed with the old key still verifies',
      await verified(await mint(old)),
      'alice',
    );
    t.equal(
      'after the rotation, a token signed with the new key verifies',
      await verified(await mint(fresh)),
      'alice',
    );
    const attacker = await newSigningKey('2026-12');
    const stranger = await newSigningKey('attacker');
    t.match(
      'a token signed by a key the set does not hold is refused',
      await verified(await mint(stranger)),
      /^refused/,
    );
    const { kid: _, alg: __, use: ___, ...bare } = attacker.publicJwk;
    t.match(
      'a token carrying its own key in a jwk header is refused',
      await verified(await mint(attacker, { jwk: bare })),
      /^refused/,
    );
  },
  hints: [
    {
      claim: 'a token signed with the old key still verifies',
      ladder: [
        'Tokens signed before the rotation stop verifying: they are still valid until they expire.',
        'Keep every published key usable; pick the one whose kid the token names (RFC 7515 §4.1.4).',
      ],
    },
    {
      claim: 'after the rotation, a token signed with the new key verifies',
      ladder: [
        'A token signed with the new key is refused: your lookup always returns the same key.',
        'The token names its key in the kid header; the JWKS lists each key with its kid (RFC 7517 §4.5).',
        "jose's createLocalJWKSet(jwks) picks the key by kid (and alg) for you.",
      ],
    },
    {
      claim: 'a token signed by a key the set does not hold is refused',
      ladder: [
        'A token signed with a key outside the set verified.',
        'Only keys the auth server published may verify; never fall back to any other key.',
      ],
    },
    {
      claim: 'a token carrying its own key in a jwk header is refused',
      ladder: [
        'A token that carried its own public key in its header verified: anyone can make one (CVE-2018-0114).',
        "The keys come from the auth server's JWKS, never from the token (RFC 8725 §3.10).",
        'Drop the branch on header.jwk: createLocalJWKSet(jwks) alone is the lookup.',
      ],
    },
  ],
  wrong: [
    {
      case: 'embedded-jwk',
      fails: 'a token carrying its own key in a jwk header is refused',
      why: 'trusting a key the token carries lets anyone sign their own tokens',
    },
  ],
});
