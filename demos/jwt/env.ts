// What the JWT steps share: an auth server with its key ring, an app server, and a client.

import { type AppServer, startAppServer } from './app-server.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { Client } from './client.ts';
import { KeyRing, newSigningKey } from './keys.ts';

export const AUDIENCE = 'orders-api';

export interface JwtEnv {
  keys: KeyRing;
  auth: AuthServer;
  app: AppServer;
  client: Client;
}

export async function startJwtEnv(): Promise<JwtEnv> {
  const keys = new KeyRing();
  keys.add(await newSigningKey('key-1'));
  const auth = await startAuthServer(AUDIENCE, keys);
  const app = await startAppServer({
    issuer: auth.url,
    audience: AUDIENCE,
    jwksUrl: `${auth.url}/.well-known/jwks.json`,
  });
  return { keys, auth, app, client: new Client() };
}

export async function stopJwtEnv({ auth, app }: JwtEnv): Promise<void> {
  await app.close();
  await auth.close();
}
