// 502 and 504 from a real reverse proxy (nginx from `npm run services`), in front of
// upstreams that misbehave in the ways production ones do.

import { step } from '../kit/define.ts';
import type { SequenceFigure } from '../kit/figures.ts';
import { exchangeFigure } from '../kit/http-wire.ts';
import type { Env } from './env.ts';
import {
  CASES,
  type GatewayRun,
  hostHeader,
  nginxErrorLog,
  nginxPort,
  throughNginx,
} from './gateway.ts';
import { rawExchange } from './wire.ts';

/** Headers that change per run or say nothing here. */
const HIDE = /^(content-type|date)$/i;

/** One request through nginx as three parties saw it: the client's socket and the upstream's. */
function hops(run: GatewayRun): SequenceFigure {
  const [request, ...answers] = run.ex.tap.turns(HIDE);
  const hop = (run.up?.tap.turns(HIDE) ?? []).map((x) =>
    x.dir === '<'
      ? { ...x, from: 'nginx', to: 'upstream' }
      : { ...x, from: 'upstream', to: 'nginx' },
  );
  const turns = [...(request ? [request] : []), ...hop, ...answers];
  return exchangeFigure(['client', 'nginx', 'upstream'], turns, { bodyLines: 1 });
}

export const gatewayStep = step<Env>(
  {
    id: 'gateway-502-504',
    section: '502-and-504-at-a-gateway',
    title: '502 and 504 at nginx: what a broken, dead or slow upstream looks like',
    needs: ['nginx'],
  },
  async (t) => {
    const results = new Map<string, GatewayRun>();
    for (const c of CASES) {
      if (c.kind === 'slow') t.waiting('nginx waiting 1 s for the slow upstream');
      const run = await throughNginx(t, c);
      const { ex } = run;
      results.set(c.kind, run);
      if (c.kind === 'healthy') {
        t.say('Healthy: nginx forwards the request (as the upstream received it) and relays 200.');
        t.figure(hops(run));
      }
      if (c.kind === 'garbage') {
        t.say(`The upstream ${c.what} (a line with no colon); nginx answers for it:`);
        t.figure(ex.tap.figure({ bodyLines: 1, hide: HIDE, parties: ['client', 'nginx'] }));
      }
      if (c.kind === 'slow' || c.kind === 'truncates') {
        t.say(`The upstream ${c.what}:`);
        t.figure(hops(run));
      }
    }
    t.table(
      ['the upstream…', 'nginx route', 'client got'],
      CASES.map((c) => [c.what, `/${c.route}/`, results.get(c.kind)?.status]),
    );
    const r = (k: string) => results.get(k) as GatewayRun;
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
    const trace = await rawExchange(nginxPort(), [`TRACE /healthz HTTP/1.1\r\n${hostHeader()}`]);
    t.match('nginx refuses TRACE itself: 405', trace.response, /^HTTP\/1\.1 405 /);
  },
);

/** What nginx's error log says per case, as the note's table has it. */
const LOGGED: Record<string, RegExp> = {
  garbage: /upstream sent invalid header/,
  closes: /upstream prematurely closed connection while reading response header from upstream/,
  nothing: /connect\(\) failed \(111: Connection refused\) while connecting to upstream/,
  slow: /upstream timed out \(110: Connection timed out\) while reading response header/,
  truncates: /upstream prematurely closed connection while reading upstream/,
};

export const errorLogStep = step<Env>(
  {
    id: 'gateway-error-log',
    section: '502-and-504-at-a-gateway',
    title: "What nginx's error log says for each broken upstream",
    needs: ['nginx'],
  },
  async (t) => {
    const log = nginxErrorLog();
    t.uses('nginx', log.version);
    t.say(`nginx ${log.version} (pid ${log.pid}) writes its error log to stderr: ${log.where}`);
    const rows: string[][] = [];
    for (const c of CASES.filter((x) => x.kind in LOGGED)) {
      if (c.kind === 'slow') t.waiting('nginx waiting 1 s for the slow upstream');
      const from = log.size();
      const run = await throughNginx(t, c);
      // nginx writes the line before it answers or closes the client's connection.
      const line = log.since(from).find((l) => l.includes(`/${c.route}/${run.port}/`)) ?? '';
      const [, error = '(no line)', during = ''] =
        / \[\w+\] \d+#\d+: \*\d+ (.*?)(?:: "[^"]*")? (while [^,]*), client: /.exec(line) ?? [];
      rows.push([c.kind, String(run.status), error, during]);
      t.match(
        `${c.kind}: ${run.status} and the log line "${LOGGED[c.kind]?.source.replace(/\\/g, '')}"`,
        line,
        LOGGED[c.kind] as RegExp,
      );
    }
    t.table(['upstream', 'client got', "nginx's error log", ''], rows);
  },
);
