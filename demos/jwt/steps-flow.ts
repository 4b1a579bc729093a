// Steps on the seed's flow over real HTTP: log in, call the app, the claims the app checks,
// and refresh-token rotation.

import { createLocalJWKSet } from 'jose/jwks/local';
import { decodeJwt } from 'jose/jwt/decode';
import { jwtVerify } from 'jose/jwt/verify';
import { step } from '../kit/define.ts';
import { ORDERS_SCOPE } from './app-server.ts';
import { ACCESS_TOKEN_SECONDS } from './auth-server.ts';
import { AUDIENCE, type Env } from './env.ts';
import { SIGNING_ALG } from './keys.ts';
import { ACCESS_TOKEN_TYPE, verifyAccessToken } from './policy.ts';
import { describeTime } from './token-text.ts';
import { epoch, sign } from './tokens.ts';

async function login(env: Env, username: string, password: string) {
  return env.client.call('POST', `${env.auth.url}/login`, { json: { username, password } });
}

export const flowStep = step<Env>(
  {
    id: 'flow',
    section: 'the-flow-auth-server-app-server-jwks',
    title: 'Log in at the auth server, call the app with the token; the app needs no shared secret',
  },
  async (t, env) => {
    const { client, app, auth } = env;
    const alice = await login(env, 'alice', 'wonderland');
    t.say('1. The user logs in at the auth server and gets an access token and a refresh token:');
    t.block(alice.lines);
    t.equal(
      'login answers 200 with a Bearer access token',
      [alice.status, alice.json.token_type],
      [200, 'Bearer'],
    );

    const before = auth.jwksRequests;
    const orders = await client.call('GET', `${app.url}/orders`, {
      bearer: alice.json.access_token as string,
    });
    t.say('2. The user calls the app server with the token in the Authorization header:');
    t.block(orders.lines);
    t.equal(
      'the app server accepts the token and knows who the caller is',
      [orders.status, orders.json.owner],
      [200, 'alice'],
    );
    t.check(
      "to verify, the app fetched the auth server's public keys from its JWKS endpoint",
      auth.jwksRequests > before,
      `JWKS requests: ${auth.jwksRequests}`,
    );
    // The port changes every run; the shape of the configuration is the point.
    t.show(
      'app config',
      JSON.parse(JSON.stringify(app.config).replaceAll(auth.url, 'http://<auth server>')),
    );
    t.equal(
      "the app's configuration holds no secret: only the JWKS URL, the issuer and the audience",
      Object.keys(app.config).sort(),
      ['audience', 'issuer', 'jwksUrl'],
    );
    t.check(
      'the JWKS publishes public keys only (no private "d" member)',
      auth.keys.jwks().keys.every((k) => k.d === undefined),
    );

    t.say('3. Without a token, with a broken one, and with a valid token lacking the scope:');
    const missing = await client.call('GET', `${app.url}/orders`);
    t.block(missing.lines);
    t.equal(
      'no token: 401 with a WWW-Authenticate challenge (RFC 6750 §3)',
      [missing.status, missing.headers['www-authenticate']],
      [401, 'Bearer realm="orders-api"'],
    );
    const broken = await client.call('GET', `${app.url}/orders`, { bearer: 'not.a.token' });
    t.match(
      'an invalid token: 401 with error="invalid_token"',
      `${broken.status} ${broken.headers['www-authenticate']}`,
      /^401 .*error="invalid_token"/,
    );
    const bob = await login(env, 'bob', 'builder');
    const forbidden = await client.call('GET', `${app.url}/orders`, {
      bearer: bob.json.access_token as string,
    });
    t.block(forbidden.lines);
    t.match(
      `a valid token without "${ORDERS_SCOPE}": 403 with error="insufficient_scope"`,
      `${forbidden.status} ${forbidden.headers['www-authenticate']}`,
      /^403 .*error="insufficient_scope"/,
    );
  },
);

export const claimsStep = step<Env>(
  {
    id: 'claims',
    section: 'registered-claims-and-time',
    title: 'The registered claims: exp, nbf, iat, iss, aud, sub, jti — checked only when asked',
  },
  async (t, env) => {
    const { keys, auth } = env;
    const now = new Date();
    const token = await auth.mint('alice', 'orders:read');
    const claims = decodeJwt(token);
    t.table(
      ['claim', 'value'],
      Object.entries(claims).map(([k, v]) => [
        k,
        ['exp', 'nbf', 'iat'].includes(k)
          ? describeTime(v, now)
          : String(v).replace(auth.url, 'http://<auth server>'),
      ]),
    );
    t.equal(
      `the access token lives ${ACCESS_TOKEN_SECONDS} s: exp - iat`,
      (claims.exp ?? 0) - (claims.iat ?? 0),
      ACCESS_TOKEN_SECONDS,
    );

    const jwks = createLocalJWKSet(keys.jwks());
    const expect = { issuer: auth.url, audience: AUDIENCE };
    const base = { iss: auth.url, aud: AUDIENCE, sub: 'alice', jti: 'j-1', iat: epoch(now) - 600 };
    const header = { alg: SIGNING_ALG, kid: keys.current.kid, typ: ACCESS_TOKEN_TYPE };
    const signed = (extra: Record<string, unknown>, drop?: string) => {
      const payload: Record<string, unknown> = { ...base, exp: epoch(now) + 60, ...extra };
      if (drop) delete payload[drop];
      return sign(keys.current.privateKey, payload, header);
    };
    const verify = async (
      tok: string,
      options: Partial<typeof expect> & { clockTolerance?: number } = {},
    ) => verifyAccessToken(tok, jwks, { ...expect, currentDate: now, ...options });

    await t.rejects(
      'exp in the past: rejected as expired',
      async () => verify(await signed({ exp: epoch(now) - 60 })),
      'ERR_JWT_EXPIRED',
    );
    await t.rejects(
      'nbf in the future: not yet valid',
      async () => verify(await signed({ nbf: epoch(now) + 60 })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', message: '"nbf"' },
    );
    await t.rejects(
      'a token for another audience: rejected',
      async () => verify(await signed({ aud: 'billing-api' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', message: '"aud"' },
    );
    await t.rejects(
      'a token from another issuer: rejected',
      async () => verify(await signed({ iss: 'https://evil.example' })),
      { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', message: '"iss"' },
    );
    for (const claim of ['sub', 'jti', 'iat']) {
      await t.rejects(
        `the policy requires ${claim} too: a token without it is refused`,
        async () => verify(await signed({}, claim)),
        { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', message: `missing required "${claim}" claim` },
      );
    }
    const forever = await signed({}, 'exp');
    const lax = await jwtVerify(forever, jwks);
    t.equal('jose accepts a token with no exp unless told to require it', lax.payload.sub, 'alice');
    await t.rejects('the app requires exp, so the same token is refused', () => verify(forever), {
      code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      message: 'missing required "exp" claim',
    });
    const justExpired = await signed({ exp: epoch(now) - 3 });
    const tolerated = await verify(justExpired);
    t.equal(
      "expired 3 s ago is accepted: the policy's 5 s clock tolerance (clock skew between servers)",
      tolerated.sub,
      'alice',
    );
    await t.rejects(
      'the same token with no tolerance is expired',
      () => verify(justExpired, { clockTolerance: 0 }),
      'ERR_JWT_EXPIRED',
    );
  },
);

export const refreshStep = step<Env>(
  {
    id: 'refresh',
    section: 'refresh-tokens',
    title: 'Refresh tokens rotate on every use; a replayed one revokes the whole family',
  },
  async (t, env) => {
    const { client, auth, app } = env;
    const first = await login(env, 'alice', 'wonderland');
    const r1 = first.json.refresh_token as string;
    const refresh = (token: string) =>
      client.call('POST', `${auth.url}/token`, {
        json: { grant_type: 'refresh_token', refresh_token: token },
      });
    const second = await refresh(r1);
    t.block(second.lines);
    const r2 = second.json.refresh_token as string;
    t.equal(
      'a refresh returns 200 with a new access token and a new refresh token',
      second.status,
      200,
    );
    t.check(
      'the new refresh token differs from the one spent',
      r2 !== r1 && typeof r2 === 'string',
    );
    t.equal(
      `the access token stays short-lived (${ACCESS_TOKEN_SECONDS} s); the refresh token is what lasts`,
      second.json.expires_in,
      ACCESS_TOKEN_SECONDS,
    );
    t.say('An attacker (or a retrying client) presents the spent refresh token again:');
    const replay = await refresh(r1);
    t.block(replay.lines);
    t.equal(
      'reusing a spent refresh token fails with invalid_grant',
      [replay.status, replay.json.error],
      [400, 'invalid_grant'],
    );
    const after = await refresh(r2);
    t.equal(
      'the reuse revoked the family: the newest refresh token fails too',
      [after.status, after.json.error_description],
      [400, 'refresh token revoked'],
    );
    const stillValid = await verifyAccessToken(
      second.json.access_token as string,
      app.keys,
      app.config,
    );
    t.equal(
      'access tokens already issued stay valid until exp: revocation reaches them only through short lifetimes',
      stillValid.sub,
      'alice',
    );
  },
);
