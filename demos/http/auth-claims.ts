// 401 or 403 at /admin, seen from the client: the claims the status-4xx step makes against the
// httpbin and the auth-status lab makes against a learner's handler. RFC 9110 §15.5.2: a 401
// MUST carry WWW-Authenticate; §15.5.4: 403 is for a client the server knows and still refuses.

import type { StepContext } from '../kit/define.ts';
import { type Reply, request } from './wire.ts';

const basic = (user: string, pass: string) =>
  `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

/** The challenge the httpbin's /admin sends with each 401. */
const ADMIN_CHALLENGE = 'Basic realm="wirenotes", charset="UTF-8"';

/**
 * GET `url` as nobody, as alice with a wrong password, as bob (known, not an administrator) and
 * as alice (an administrator); claims the statuses and challenges each must get.
 */
export async function adminClaims(t: StepContext, url: string): Promise<void> {
  const as = (user?: string, pass = '') =>
    request(url, user ? { headers: { Authorization: basic(user, pass) } } : {});
  const anon = await as();
  const bob = await as('bob', 'builder');
  const alice = await as('alice', 'wonderland');
  t.figure(anon.tap.figure({ bodyLines: 1 }));
  t.figure(bob.tap.figure({ bodyLines: 1 }));
  const challenged = (r: Reply) => [r.status, r.headers['www-authenticate']];
  t.equal('no credentials → 401 with a WWW-Authenticate challenge', challenged(anon), [
    401,
    ADMIN_CHALLENGE,
  ]);
  const wrong = await as('alice', 'not-her-password');
  t.equal(
    'a wrong password → 401 with the same challenge: the server did not accept the credentials',
    challenged(wrong),
    [401, ADMIN_CHALLENGE],
  );
  t.equal(
    "bob's valid credentials → 403 and no challenge: he is known, and still not allowed",
    [bob.status, bob.headers['www-authenticate'], alice.status],
    [403, undefined, 200],
  );
}
