// What the JWT steps share: an auth server with its key ring, an app server, and a client.

import { readFileSync } from 'node:fs';
import type { SetupInfo } from '../kit/define.ts';
import { ROOT } from '../kit/paths.ts';
import { type AppServer, startAppServer } from './app-server.ts';
import { type AuthServer, startAuthServer } from './auth-server.ts';
import { Client } from './client.ts';
import { KeyRing, newSigningKey } from './keys.ts';

export const AUDIENCE = 'orders-api';

export interface Env {
  keys: KeyRing;
  auth: AuthServer;
  app: AppServer;
  client: Client;
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const jose = JSON.parse(readFileSync(`${ROOT}node_modules/jose/package.json`, 'utf8'));
  info.uses('jose', String(jose.version));
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

export async function closeEnv({ auth, app }: Env): Promise<void> {
  await app.close();
  await auth.close();
}
