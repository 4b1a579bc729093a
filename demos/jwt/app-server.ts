// The application server: it holds no secret of the auth server's. It verifies bearer tokens with
// the public keys from the auth server's JWKS and answers 401 or 403 as RFC 6750 §3 describes.

import { createServer } from 'node:http';
import type { JWTVerifyGetKey } from 'jose';
import { createRemoteJWKSet } from 'jose/jwks/remote';
import { closeServer, listen } from '../kit/net.ts';
import { type Audience, hasScope, verifyAccessToken } from './policy.ts';

const REALM = 'orders-api';
export const ORDERS_SCOPE = 'orders:read';

export interface AppServer {
  url: string;
  /** Everything the app knows about the auth server: where its public keys are, and what to expect. */
  config: Audience & { jwksUrl: string };
  keys: ReturnType<typeof createRemoteJWKSet>;
  close(): Promise<void>;
}

function challenge(params: Record<string, string> = {}): string {
  const extra = Object.entries(params).map(([k, v]) => `, ${k}="${v}"`);
  return `Bearer realm="${REALM}"${extra.join('')}`;
}

export async function startAppServer(config: Audience & { jwksUrl: string }): Promise<AppServer> {
  // Fetched on first use and cached; an unknown kid triggers a refetch (at most every 30 s).
  const keys = createRemoteJWKSet(new URL(config.jwksUrl));
  const server = createServer(async (req, res) => {
    if (req.url !== '/orders') {
      res.writeHead(404).end();
      return;
    }
    const m = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!m) {
      res.writeHead(401, { 'www-authenticate': challenge() }).end();
      return;
    }
    try {
      const claims = await verifyAccessToken(m[1] as string, keys as JWTVerifyGetKey, config);
      if (!hasScope(claims, ORDERS_SCOPE)) {
        res
          .writeHead(403, {
            'www-authenticate': challenge({ error: 'insufficient_scope', scope: ORDERS_SCOPE }),
          })
          .end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ owner: claims.sub, orders: [{ id: 1, item: 'keyboard' }] }));
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'invalid';
      res
        .writeHead(401, {
          'www-authenticate': challenge({ error: 'invalid_token', error_description: code }),
        })
        .end();
    }
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, config, keys, close: () => closeServer(server) };
}
