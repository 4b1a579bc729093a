// Lab: a POST sent twice. The learner's fragment runs in the same nginx the step `retries`
// starts, with the same backends (one reads each request and then resets the connection); the
// claims are the step's: the POST is not passed on once sent, the GET is.

import { defineLab } from '../../../kit/lab.ts';
import { send } from '../../client.ts';
import { backends, nginx } from '../../lab.ts';
import { labEnv, readFragment } from '../../lab-fragment.ts';

export const lab = defineLab(import.meta.url, {
  id: 'post-retry',
  title: 'Charged twice',
  task: 'A backend crashed after reading a POST and nginx sent the same POST to the next one: make proxy.conf never resend a POST, while a GET still fails over.',
  section: 'retries-and-idempotency',
  files: ['proxy.conf'],
  needs: ['nginx-binary'],
  startFails: 'the POST the crashed backend read is not sent again',
  check: async (t, dir) => {
    const env = labEnv(t);
    const bs = await backends(t, 2);
    const [crash, ok] = bs;
    if (!crash || !ok) throw new Error('the backends did not start');
    crash.mode = 'reset';
    const config = readFragment(`${dir}/proxy.conf`, {
      crashes: crash.address,
      healthy: ok.address,
    });
    // A fresh nginx per request: each request's first pick is the first server, `crashes`.
    const through = async (name: string, method: string, path: string) => {
      const ng = await nginx(t, env, name, config);
      return send(`${ng.url}${path}`, { method, body: 'amount=10' });
    };
    const post = await through('lab-post', 'POST', '/charge');
    const get = await through('lab-get', 'GET', '/orders');
    t.show('POST /charge', `${post.status} ${post.firstLine}`);
    t.show('GET /orders', `${get.status} ${get.firstLine}`);
    t.show('the healthy backend saw', ok.requests.join(', ') || '(nothing)');
    t.equal(
      'the crashing backend read both requests (then reset each connection)',
      crash.requests,
      ['POST /charge', 'GET /orders'],
    );
    t.equal(
      'the POST the crashed backend read is not sent again: 502, and the healthy backend never sees it',
      [post.status, ok.requests.filter((r) => r.startsWith('POST'))],
      [502, []],
    );
    t.equal(
      'the GET that hit the crash is answered 200 by the healthy backend',
      [get.status, get.firstLine],
      [200, ok.id],
    );
  },
  hints: [
    {
      claim: 'the POST the crashed backend read is not sent again',
      ladder: [
        'The POST reached the healthy backend after the first one had read it: the charge ran twice.',
        'Since nginx 1.9.13 a POST, LOCK or PATCH already sent to an upstream is not passed on to the next one — unless something in your config asks for it.',
        'Drop `non_idempotent` from `proxy_next_upstream` (its default is `error timeout`).',
      ],
    },
    {
      claim: 'the GET that hit the crash',
      ladder: [
        'The GET got an error although a healthy backend was there to answer it.',
        'A GET is idempotent (RFC 9110 §9.2.2): sending it again is safe, and is what keeps a crash invisible to clients. `proxy_next_upstream off` or `proxy_next_upstream_tries 1` turns off every retry, the safe ones too.',
        'Keep the default `proxy_next_upstream error timeout`: nginx then passes on what is safe to repeat and refuses the rest by itself.',
      ],
    },
    {
      claim: 'the crashing backend read both requests',
      ladder: [
        'A request never reached the crashing backend: does the upstream still list `{crashes}` first, and the location still `proxy_pass http://app`?',
      ],
    },
  ],
  wrong: [
    {
      case: 'retry-off',
      fails: 'the GET that hit the crash',
      why: '`proxy_next_upstream off` stops the duplicate POST but also the safe GET failover: the client gets 502',
    },
    {
      case: 'one-try',
      fails: 'the GET that hit the crash',
      why: '`proxy_next_upstream_tries 1` allows one server per request: no duplicate POST, but no GET failover either',
    },
  ],
});
