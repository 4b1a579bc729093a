// Lab: /admin refuses everyone with the same 403, so a client with no login is never asked for
// one. The claims are the status-4xx step's (auth-claims.ts), made against the learner's handler
// served by node:http.

import { defineLab } from '../../../kit/lab.ts';
import { adminClaims } from '../../auth-claims.ts';
import { serveHandler } from '../../lab-server.ts';

export const lab = defineLab(import.meta.url, {
  id: 'auth-status',
  title: '401 or 403',
  task: 'GET /admin answers 403 to everyone it refuses: make admin.mjs say 401 (with a challenge) to who is not logged in, 403 to who may not.',
  section: '4xx-client-errors',
  files: ['admin.mjs'],
  startFails: 'no credentials → 401 with a WWW-Authenticate challenge',
  check: async (t, dir) => {
    const base = await serveHandler(t, `${dir}/admin.mjs`, 'admin');
    await adminClaims(t, `${base}/admin`);
  },
  hints: [
    {
      claim: 'no credentials → 401 with a WWW-Authenticate challenge',
      ladder: [
        'A request with no Authorization header did not get 401 with the challenge `Basic realm="wirenotes", charset="UTF-8"`.',
        'RFC 9110 §15.5.2: 401 means the request lacks valid credentials, and a 401 MUST carry WWW-Authenticate — it is what makes a browser or curl ask for a login.',
        'When the credentials are missing or wrong, answer 401 with `WWW-Authenticate: Basic realm="wirenotes", charset="UTF-8"` (the CHALLENGE constant).',
      ],
    },
    {
      claim: 'a wrong password → 401 with the same challenge',
      ladder: [
        'alice with a wrong password did not get 401 with the challenge.',
        'A wrong password means the server did not accept the credentials: that is 401, not 403 (RFC 9110 §15.5.2).',
      ],
    },
    {
      claim: "bob's valid credentials → 403 and no challenge",
      ladder: [
        'bob logged in correctly and still was not told 403 without a challenge (or alice did not get 200).',
        'RFC 9110 §15.5.4: 403 is for a client the server understood and refuses; asking bob to log in again cannot help him.',
        'Check the password first (401 + challenge), then whether the user is an administrator (403, no WWW-Authenticate).',
      ],
    },
  ],
  wrong: [
    {
      case: '401-for-all',
      fails: "bob's valid credentials → 403 and no challenge",
      why: 'a 401 asks bob to log in again, though his login was fine: he is known and not allowed',
    },
    {
      case: 'no-challenge',
      fails: 'no credentials → 401 with a WWW-Authenticate challenge',
      why: 'a 401 without WWW-Authenticate breaks RFC 9110 §15.5.2: no client knows how to log in',
    },
  ],
});
