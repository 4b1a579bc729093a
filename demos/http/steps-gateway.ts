// 502 and 504 from a real reverse proxy (nginx from `npm run services`), in front of
// upstreams that misbehave in the ways production ones do.

import { step } from '../kit/define.ts';
import { freePort } from '../kit/net.ts';
import { endpoints } from '../kit/services.ts';
import type { Env } from './env.ts';
import { startUpstream, type Upstream, type UpstreamKind } from './upstreams.ts';
import { rawExchange } from './wire.ts';

const CASES: { kind: UpstreamKind | 'nothing'; route: 'proxy' | 'timeout'; what: string }[] = [
  { kind: 'healthy', route: 'proxy', what: 'answers 200' },
  { kind: 'garbage', route: 'proxy', what: 'sends a malformed header' },
  { kind: 'closes', route: 'proxy', what: 'hangs up before answering' },
  { kind: 'nothing', route: 'proxy', what: 'is not listening' },
  { kind: 'slow', route: 'timeout', what: 'takes 5 s; nginx waits 1 s' },
  { kind: 'truncates', route: 'proxy', what: 'dies mid-body' },
];

export const gatewayStep = step<Env>(
  {
    id: 'gateway-502-504',
    section: '502-and-504-at-a-gateway',
    title: '502 and 504 at nginx: what a broken, dead or slow upstream looks like',
    needs: ['nginx'],
  },
  async (t) => {
    const nginx = new URL(endpoints.nginxUrl);
    const hostHeader = `Host: ${nginx.host}\r\nConnection: close\r\n\r\n`;
    const results = new Map<string, { status: number; response: string; up?: Upstream }>();
    for (const c of CASES) {
      const up = c.kind === 'nothing' ? undefined : await startUpstream(c.kind);
      if (up) t.defer(() => up.close());
      const port = up?.port ?? (await freePort());
      if (c.kind === 'slow') t.waiting('nginx waiting 1 s for the slow upstream');
      const ex = await rawExchange(Number(nginx.port || 80), [
        `GET /${c.route}/${port}/orders?id=7 HTTP/1.1\r\n${hostHeader}`,
      ]);
      const status = Number(ex.response.slice(9, 12));
      results.set(c.kind, { status, response: ex.response, up });
      if (c.kind === 'healthy') {
        t.say('Healthy: nginx forwards the request (the upstream saw this head) and relays 200.');
        t.block(
          (up?.firstRequest ?? '').split('\r\n').map((l) => `> ${l.replace(/:\d+$/, ':<port>')}`),
        );
      }
      if (c.kind === 'garbage' || c.kind === 'slow' || c.kind === 'truncates') {
        t.say(`The upstream ${c.what}:`);
        t.figure(ex.tap.figure({ bodyLines: 1, hide: /^(content-type|date)$/i }));
      }
    }
    t.table(
      ['the upstream…', 'nginx route', 'client got'],
      CASES.map((c) => [c.what, `/${c.route}/`, results.get(c.kind)?.status]),
    );
    const r = (k: string) => results.get(k) as { status: number; response: string; up?: Upstream };
    t.equal(
      'a healthy upstream: 200 with its own body',
      [r('healthy').status, r('healthy').response.endsWith('upstream\n')],
      [200, true],
    );
    t.check(
      'nginx adds X-Forwarded-For on its way to the upstream',
      /\r\nX-Forwarded-For: 127\.0\.0\.1/i.test(r('healthy').up?.firstRequest ?? ''),
      r('healthy').up?.firstRequest,
    );
    t.equal(
      'malformed header, hang-up before a response, nothing listening: each a 502',
      [r('garbage').status, r('closes').status, r('nothing').status],
      [502, 502, 502],
    );
    t.equal(
      'nginx did reach the broken upstreams (connections they accepted)',
      [r('garbage').up?.connections, r('closes').up?.connections],
      [1, 1],
    );
    t.equal(
      'an upstream slower than proxy_read_timeout: 504, though it had accepted the request',
      [r('slow').status, r('slow').up?.connections, Boolean(r('slow').up?.firstRequest)],
      [504, 1, true],
    );
    const cut = r('truncates').response;
    const body = cut.slice(cut.indexOf('\r\n\r\n') + 4);
    t.check(
      'dying mid-body cannot become a 502: the client already has a 200, then 10 of 100 bytes',
      r('truncates').status === 200 && /Content-Length: 100/i.test(cut) && body.length === 10,
      JSON.stringify(cut),
    );
    const trace = await rawExchange(Number(nginx.port || 80), [
      `TRACE /healthz HTTP/1.1\r\n${hostHeader}`,
    ]);
    t.match('nginx refuses TRACE itself: 405', trace.response, /^HTTP\/1\.1 405 /);
  },
);
