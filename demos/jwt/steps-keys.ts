// Steps on keys: the attacks a verifier must refuse, and rotating the signing key.

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { CryptoKey, JWTHeaderParameters, JWTVerifyGetKey } from 'jose';
import { EmbeddedJWK } from 'jose/jwk/embedded';
import { createRemoteJWKSet } from 'jose/jwks/remote';
import { jwtVerify } from 'jose/jwt/verify';
import { exportSPKI } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';
import { importJWK } from 'jose/key/import';
import { step } from '../kit/define.ts';
import { closeServer, listen } from '../kit/net.ts';
import type { Env } from './env.ts';
import { newSigningKey, SIGNING_ALG } from './keys.ts';
import { ACCESS_TOKEN_TYPE, verifyAccessToken } from './policy.ts';
import { readToken } from './token-text.ts';
import { sign, unsigned, withPayload } from './tokens.ts';

export const attacksStep = step<Env>(
  {
    id: 'attacks',
    section: 'attacks-a-verifier-must-refuse',
    title: 'Forged tokens: each attack meets its exact error',
  },
  async (t, env) => {
    const { app, auth, client } = env;
    const verify = (token: string) => verifyAccessToken(token, app.keys, app.config);
    const genuine = await auth.mint('alice', 'profile');
    const claims = readToken(genuine).payload;
    // An attacker's token: any key, any alg, a kid of their choosing (the real one by default).
    const forge = (
      key: CryptoKey | Uint8Array,
      alg: string,
      payload = claims,
      header: Partial<JWTHeaderParameters> = {},
    ) => sign(key, payload, { alg, kid: auth.keys.current.kid, typ: ACCESS_TOKEN_TYPE, ...header });

    const tampered = withPayload(genuine, { ...claims, sub: 'admin', scope: 'orders:read admin' });
    await t.rejects(
      'a tampered payload (sub → admin) fails the signature check',
      () => verify(tampered),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    const viaHttp = await client.call('GET', `${app.url}/orders`, { bearer: tampered });
    t.block(viaHttp.lines.filter((l) => /^< (HTTP|www-authenticate)/.test(l)));
    t.equal('over HTTP the app answers it with 401', viaHttp.status, 401);

    const none = unsigned({ ...claims, scope: 'orders:read' }, ACCESS_TOKEN_TYPE);
    t.show('alg none', `${none.slice(0, 60)}… (empty signature)`);
    await t.rejects(
      'alg "none" is outside the allowlist',
      () => verify(none),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    await t.rejects(
      'even with no allowlist, jose will not take "none" from a key set',
      () => jwtVerify(none, app.keys as JWTVerifyGetKey),
      'ERR_JOSE_NOT_SUPPORTED',
    );
    await t.rejects(
      'nor with a plain secret: jwtVerify has no "none" algorithm at all',
      () => jwtVerify(none, randomBytes(32)),
      'ERR_JOSE_NOT_SUPPORTED',
    );

    // Key confusion: the public key is public, so an attacker uses its PEM text as an HMAC secret.
    const publicKey = await importPublic(env);
    const publicPem = new TextEncoder().encode(await exportSPKI(publicKey));
    const confused = await forge(publicPem, 'HS256', { ...claims, scope: 'orders:read' });
    await t.rejects(
      'HS256 signed with the public key as secret (key confusion): alg not allowed',
      () => verify(confused),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    await t.rejects(
      'and jose binds key type to alg: an EC public key is never an HMAC secret',
      () => jwtVerify(confused, publicKey),
      'must be of type "secret"',
    );

    const attacker = await generateKeyPair('ES384');
    const otherAlg = await forge(attacker.privateKey, 'ES384');
    let lookups = 0;
    const countingKeys: JWTVerifyGetKey = (header, token) => {
      lookups++;
      return app.keys(header, token);
    };
    await t.rejects(
      'an algorithm not in the allowlist (ES384): refused',
      () => jwtVerify(otherAlg, countingKeys, { algorithms: [SIGNING_ALG] }),
      'ERR_JOSE_ALG_NOT_ALLOWED',
    );
    t.equal('before any key is looked up: the key function was never called', lookups, 0);

    const own = await newSigningKey('attacker-key');
    const unknownKid = await forge(own.privateKey, 'ES256', claims, { kid: own.kid });
    await t.rejects(
      'a kid the JWKS does not hold: no matching key',
      () => verify(unknownKid),
      'ERR_JWKS_NO_MATCHING_KEY',
    );
    // kid injection: a path or SQL fragment in kid, hoping the verifier reads a key from it.
    for (const [what, kid] of [
      ['a path (../../../../dev/null)', '../../../../dev/null'],
      ["SQL (' OR '1'='1)", "' OR '1'='1"],
    ] as const) {
      const injected = await forge(own.privateKey, 'ES256', claims, { kid });
      await t.rejects(
        `a kid holding ${what} only fails to match: kid is compared with the JWKS, never opened or queried`,
        () => verify(injected),
        'ERR_JWKS_NO_MATCHING_KEY',
      );
    }

    // The embedded jwk header (CVE-2018-0114): the token carries the key that "verifies" it.
    const embedded = await forge(own.privateKey, 'ES256', claims, {
      jwk: { ...own.publicJwk, kid: undefined, alg: undefined, use: undefined },
    });
    await t.rejects(
      'a token carrying its own key in a jwk header (CVE-2018-0114): checked against the JWKS, it fails',
      () => verify(embedded),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    const trusting = await jwtVerify(embedded, EmbeddedJWK, { algorithms: [SIGNING_ALG] });
    t.equal(
      'a verifier that takes the key from the header (jose’s opt-in EmbeddedJWK) accepts the forgery',
      trusting.payload.sub,
      claims.sub,
    );

    // typ pinning: a token the same auth server signed for another purpose is not an access token.
    const idToken = await sign(auth.keys.current.privateKey, claims, {
      alg: SIGNING_ALG,
      kid: auth.keys.current.kid,
      typ: 'JWT',
    });
    await t.rejects(
      'a token the auth server really signed, but with typ JWT instead of at+jwt, is refused: the policy pins typ (RFC 8725 §3.11)',
      () => verify(idToken),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', message: '"typ"' },
    );
    t.equal(
      'without the typ option jose accepts the same token as an access token',
      (await jwtVerify(idToken, app.keys, { algorithms: [SIGNING_ALG] })).payload.sub,
      claims.sub,
    );

    // jku and x5u: the attacker hosts their own key and points the token at it.
    let attackerFetches = 0;
    const evil = createServer((_req, res) => {
      attackerFetches++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [{ ...own.publicJwk, kid: auth.keys.current.kid }] }));
    });
    const port = await listen(evil);
    t.defer(() => closeServer(evil));
    const withJku = await forge(own.privateKey, 'ES256', claims, {
      jku: `http://127.0.0.1:${port}/jwks.json`,
    });
    await t.rejects(
      "a jku header pointing at the attacker's keys: verified against the real JWKS, so it fails",
      () => verify(withJku),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    const withX5u = await forge(own.privateKey, 'ES256', claims, {
      x5u: `http://127.0.0.1:${port}/cert.pem`,
    });
    await t.rejects(
      "an x5u header pointing at the attacker's certificate: also verified against the real JWKS",
      () => verify(withX5u),
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    );
    t.equal(
      "the attacker's key server received no request: jku and x5u are never fetched",
      attackerFetches,
      0,
    );
  },
);

async function importPublic(env: Env): Promise<CryptoKey> {
  return (await importJWK(env.keys.current.publicJwk, SIGNING_ALG)) as CryptoKey;
}

export const rotationStep = step<Env>(
  {
    id: 'rotation',
    section: 'key-rotation',
    title: 'Key rotation: publish the new key first, retire the old one last',
  },
  async (t, env) => {
    const { keys, auth, app } = env;
    // A verifier of its own, so the cache state shown here does not depend on earlier steps.
    // jose's defaults (cooldownDuration 30 s, cacheMaxAge 10 min): what an app gets unless it sets them.
    const verifier = createRemoteJWKSet(new URL(app.config.jwksUrl));
    const verify = (token: string) => verifyAccessToken(token, verifier, app.config);
    const oldKid = keys.current.kid;
    const oldToken = await auth.mint('alice', 'profile');
    t.equal(
      `a token signed with ${oldKid} verifies (the verifier fetches and caches the JWKS)`,
      (await verify(oldToken)).sub,
      'alice',
    );

    const next = await newSigningKey('key-2');
    keys.add(next);
    t.show(
      'JWKS kids',
      keys.jwks().keys.map((k) => k.kid),
    );
    const newToken = await auth.mint('alice', 'profile');
    t.equal('new tokens carry the new kid', readToken(newToken).header.kid, next.kid);
    await t.rejects(
      'a verifier that fetched the JWKS under 30 s ago does not refetch for an unknown kid: the new token fails',
      () => verify(newToken),
      'ERR_JWKS_NO_MATCHING_KEY',
    );
    await verifier.reload();
    t.equal(
      'after its cache refreshes, the new token verifies',
      (await verify(newToken)).sub,
      'alice',
    );
    t.equal(
      'and tokens signed with the old key still verify while it is published',
      (await verify(oldToken)).sub,
      'alice',
    );

    keys.retire(oldKid);
    t.show(
      'JWKS kids',
      keys.jwks().keys.map((k) => k.kid),
    );
    t.equal(
      'right after the old key is retired, a verifier with a cached JWKS still accepts old tokens',
      (await verify(oldToken)).sub,
      'alice',
    );
    await verifier.reload();
    await t.rejects(
      'once the cache refreshes, tokens under the retired key fail',
      () => verify(oldToken),
      'ERR_JWKS_NO_MATCHING_KEY',
    );
    // The app server's own verifier refreshes too, as it would once its cache ages out.
    await app.keys.reload();
  },
);
