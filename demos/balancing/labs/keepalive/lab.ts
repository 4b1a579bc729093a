// Lab: upstream keep-alive in nginx. The learner's fragment runs in the same nginx the step
// `keepalive` starts, in front of the same counting backend, with the same 100 requests over one
// client connection; the claims are the step's: how many connections, how the requests arrived.

import { Agent } from 'node:http';
import { defineLab } from '../../../kit/lab.ts';
import { backends, nginx } from '../../lab.ts';
import { labEnv, readFragment } from '../../lab-fragment.ts';
import { spread } from '../../spread.ts';

const N = 100;

export const lab = defineLab(import.meta.url, {
  id: 'keepalive',
  title: 'One connection per request',
  task: 'Every request nginx proxies opens a new connection to the backend: make proxy.conf reuse them, so 100 requests use one.',
  section: 'keep-alive-to-upstreams',
  files: ['proxy.conf'],
  needs: ['nginx-binary'],
  startFails: `one upstream connection carries all ${N} requests`,
  check: async (t, dir) => {
    const env = labEnv(t);
    const [backend] = await backends(t, 1);
    if (!backend) throw new Error('no backend started');
    const ng = await nginx(
      t,
      env,
      'lab-keepalive',
      readFragment(`${dir}/proxy.conf`, { backend: backend.address }),
    );
    // The client keeps one connection to nginx: only nginx's side of the count varies.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.defer(() => agent.destroy());
    await spread(`${ng.url}/`, N, { kind: 'body' }, () => ({ agent }));
    t.show('backend', `${backend.connections} connections; last request: ${backend.lastHead}`);
    t.equal(`the backend answered all ${N} requests`, backend.requests.length, N);
    t.equal(`one upstream connection carries all ${N} requests`, backend.connections, 1);
    t.equal(
      'the requests arrive as HTTP/1.1 with no Connection: close',
      backend.lastHead,
      'HTTP/1.1, Connection: (none)',
    );
  },
  hints: [
    {
      claim: `one upstream connection carries all ${N} requests`,
      ladder: [
        'Each proxied request still opened its own connection to the backend: look at how the last request arrived (shown above).',
        'nginx proxies with HTTP/1.0 and sends `Connection: close` by default, so the backend closes every connection after one response, whatever the pool size.',
        '`keepalive N` in the upstream only keeps idle connections; the location must also speak HTTP/1.1 (`proxy_http_version 1.1`) and clear the header (`proxy_set_header Connection "";`).',
        'A bigger `keepalive` changes nothing while the requests carry `Connection: close`; `proxy_http_version 1.1` alone still sends `Connection: close`.',
      ],
    },
    {
      claim: 'the backend answered all',
      ladder: [
        'Not every request reached the backend: is `proxy_pass http://app;` still in the location?',
      ],
    },
  ],
  wrong: [
    {
      case: 'bigger-pool',
      fails: `one upstream connection carries all ${N} requests`,
      why: 'a bigger pool keeps nothing while nginx still sends HTTP/1.0 with Connection: close',
    },
    {
      case: 'http11-only',
      fails: `one upstream connection carries all ${N} requests`,
      why: 'HTTP/1.1 alone still carries nginx’s default Connection: close, so the backend closes each one',
    },
  ],
});
