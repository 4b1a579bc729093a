// Steps on the connections between the balancer and its backends.

import { Agent } from 'node:http';
import { step } from '../kit/define.ts';
import type { Backend } from './backends.ts';
import type { Env } from './env.ts';
import { backends, nginx } from './lab.ts';
import { location, upstream } from './nginx.ts';
import { spread } from './spread.ts';

const HTTP11 = ['proxy_http_version 1.1', 'proxy_set_header Connection ""'];

export const keepaliveStep = step<Env>(
  {
    id: 'keepalive',
    section: 'keep-alive-to-upstreams',
    title: 'Upstream keep-alive: 100 requests, 100 backend connections or 1',
  },
  async (t, env) => {
    const [plain, poolOnly, pooled] = (await backends(t, 3)) as [Backend, Backend, Backend];
    const ng = await nginx(t, env, 'keepalive', {
      upstreams: [
        upstream('plain', [plain.address]),
        upstream('pool_only', [poolOnly.address], ['keepalive 8']),
        upstream('pooled', [pooled.address], ['keepalive 8']),
      ].join('\n'),
      locations: [
        location('/plain', 'plain'),
        location('/pool-only', 'pool_only'),
        location('/pooled', 'pooled', HTTP11),
      ].join('\n'),
    });
    const n = 100;
    // The client keeps one connection to nginx: only nginx's side of the count varies.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.defer(() => agent.destroy());
    for (const path of ['/plain', '/pool-only', '/pooled']) {
      await spread(`${ng.url}${path}`, n, { kind: 'body' }, () => ({ agent }));
    }
    t.table(
      ['upstream', 'connections at the backend', 'how requests arrived'],
      [
        ['no keepalive', plain.connections, plain.lastHead],
        ['keepalive 8 alone', poolOnly.connections, poolOnly.lastHead],
        ['keepalive 8 + HTTP/1.1 + Connection ""', pooled.connections, pooled.lastHead],
      ],
    );
    t.equal(
      'without `keepalive`, every proxied request opens a new upstream connection: 100',
      plain.connections,
      n,
    );
    t.equal(
      '`keepalive 8` alone changes nothing: nginx still speaks HTTP/1.0 with Connection: close, 100',
      [poolOnly.connections, poolOnly.lastHead],
      [n, 'HTTP/1.0, Connection: close'],
    );
    t.equal(
      'with `proxy_http_version 1.1` and `Connection ""` as well, one connection carries all 100',
      [pooled.connections, pooled.lastHead],
      [1, 'HTTP/1.1, Connection: (none)'],
    );
  },
);
