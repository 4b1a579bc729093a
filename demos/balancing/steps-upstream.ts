// Steps on the connections between the balancer and its backends.

import { Agent } from 'node:http';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import type { Backend } from './backends.ts';
import type { Env } from './env.ts';
import { serverLines } from './haproxy.ts';
import { backends, haproxy, nginx } from './lab.ts';
import { location, upstream } from './nginx.ts';
import { spread } from './spread.ts';
import { KEEPALIVE_ALONE, UPSTREAM_DEFAULT } from './versions.ts';

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
    const seen = (b: Backend) =>
      `${b.connections} upstream connection${b.connections === 1 ? '' : 's'}, ${b.lastHead}`;
    const none = expectedFor(UPSTREAM_DEFAULT, env.nginxVersion);
    t.equal(`without \`keepalive\` (${none.when}): ${none.value}`, seen(plain), none.value);
    const alone = expectedFor(KEEPALIVE_ALONE, env.nginxVersion);
    t.equal(`\`keepalive 8\` alone (${alone.when}): ${alone.value}`, seen(poolOnly), alone.value);
    t.equal(
      'with `proxy_http_version 1.1` and `Connection ""` as well, one connection carries all 100',
      [pooled.connections, pooled.lastHead],
      [1, 'HTTP/1.1, Connection: (none)'],
    );
  },
);

export const haproxyReuseStep = step<Env>(
  {
    id: 'haproxy-reuse',
    section: 'keep-alive-to-upstreams',
    title:
      'HAProxy keeps its server connections open by default; `http-reuse` says who may share them',
  },
  async (t, env) => {
    const [session, perRequest, shared] = (await backends(t, 3)) as [Backend, Backend, Backend];
    const start = (name: string, b: Backend, extra: string[] = []) =>
      haproxy(t, env, name, { backend: ['balance roundrobin', ...extra, ...serverLines([b])] });
    const hpSession = await start('reuse-session', session);
    const hpPerRequest = await start('reuse-per-request', perRequest);
    const hpShared = await start('reuse-always', shared, ['http-reuse always']);
    const n = 100;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    t.defer(() => agent.destroy());
    await spread(hpSession.url, n, { kind: 'body' }, () => ({ agent }));
    await spread(hpPerRequest.url, n);
    await spread(hpShared.url, n);
    t.table(
      ['HAProxy', 'client conns', 'backend conns', 'how requests arrived'],
      [
        ['default (http-reuse safe)', 1, session.connections, session.lastHead],
        ['default (http-reuse safe)', n, perRequest.connections, perRequest.lastHead],
        ['http-reuse always', n, shared.connections, shared.lastHead],
      ],
    );
    t.equal(
      'with no setting, HAProxy keeps HTTP/1.1 to the server: 1 client connection, 1 server connection',
      [session.connections, session.lastHead],
      [1, 'HTTP/1.1, Connection: (none)'],
    );
    t.equal(
      '`http-reuse safe` (the default) gives each new client its own server connection: 100 for 100',
      perRequest.connections,
      n,
    );
    t.check(
      `\`http-reuse always\` lets new clients share idle server connections: ${shared.connections} for 100 clients`,
      shared.connections < n / 10,
    );
  },
);
