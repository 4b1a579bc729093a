// The authentication server of the seed's flow: checks a password, issues a short-lived access
// token signed with its private key and a one-time refresh token, and publishes its public keys.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SignJWT } from 'jose/jwt/sign';
import { closeServer, listen } from '../kit/net.ts';
import { type KeyRing, SIGNING_ALG } from './keys.ts';
import { ACCESS_TOKEN_TYPE } from './policy.ts';
import { RefreshStore } from './refresh-store.ts';

export const ACCESS_TOKEN_SECONDS = 300;

const USERS: Record<string, { password: string; scope: string }> = {
  alice: { password: 'wonderland', scope: 'orders:read profile' },
  bob: { password: 'builder', scope: 'profile' },
};

export interface AuthServer {
  url: string;
  keys: KeyRing;
  /** How many times the JWKS was fetched: the app server's only contact with the auth server. */
  jwksRequests: number;
  mint(sub: string, scope: string): Promise<string>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export async function startAuthServer(audience: string, keys: KeyRing): Promise<AuthServer> {
  const refresh = new RefreshStore();
  const server = createServer();
  const port = await listen(server);
  const auth: AuthServer = {
    url: `http://127.0.0.1:${port}`,
    keys,
    jwksRequests: 0,
    mint: (sub, scope) =>
      new SignJWT({ scope })
        .setProtectedHeader({ alg: SIGNING_ALG, typ: ACCESS_TOKEN_TYPE, kid: keys.current.kid })
        .setIssuer(auth.url)
        .setAudience(audience)
        .setSubject(sub)
        .setIssuedAt()
        .setExpirationTime(`${ACCESS_TOKEN_SECONDS}s`)
        .setJti(randomUUID())
        .sign(keys.current.privateKey),
    close: () => closeServer(server),
  };
  const grant = async (res: ServerResponse, sub: string, scope: string, refreshToken: string) =>
    json(res, 200, {
      access_token: await auth.mint(sub, scope),
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_SECONDS,
      refresh_token: refreshToken,
      scope,
    });
  server.on('request', async (req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      auth.jwksRequests++;
      return json(res, 200, keys.jwks());
    }
    if (req.method === 'POST' && req.url === '/login') {
      const { username, password } = await readJson(req);
      const user = typeof username === 'string' ? USERS[username] : undefined;
      if (!user || user.password !== password) return json(res, 400, { error: 'invalid_grant' });
      return grant(
        res,
        username as string,
        user.scope,
        refresh.issue(username as string, user.scope),
      );
    }
    if (req.method === 'POST' && req.url === '/token') {
      const body = await readJson(req);
      if (body.grant_type !== 'refresh_token' || typeof body.refresh_token !== 'string') {
        return json(res, 400, { error: 'invalid_request' });
      }
      const r = refresh.rotate(body.refresh_token);
      if (!r.ok)
        return json(res, 400, {
          error: 'invalid_grant',
          error_description: `refresh token ${r.reason}`,
        });
      return grant(res, r.sub, r.scope, r.token);
    }
    json(res, 404, { error: 'not_found' });
  });
  return auth;
}
