// Steps on failure: passive health (nginx learns from real requests), active health (HAProxy
// probes on its own), and which failed requests nginx retries on the next upstream.

import { step } from '../kit/define.ts';
import type { Message } from '../kit/figures.ts';
import { freePort } from '../kit/net.ts';
import type { Backend } from './backends.ts';
import { send } from './client.ts';
import type { Env } from './env.ts';
import { serverLines } from './haproxy.ts';
import { backends, haproxy, nginx } from './lab.ts';
import { location, type NginxAccess, nginxRejects, upstream } from './nginx.ts';
import { countsOf, spread } from './spread.ts';

/** How a failed try looks on the wire: what nginx sent (a request, or only a connect) and got. */
interface FailedTry {
  sent?: string;
  got: string;
}

/** The exchange of one proxied request, from nginx's access log: every upstream it tried. */
function exchange(title: string, a: NginxAccess, named: Map<string, string>, failed: FailedTry) {
  const request = `${a.method} ${a.uri}`;
  const messages: Message[] = [{ from: 'client', to: 'nginx', label: request }];
  a.upstreams.forEach((addr, i) => {
    const who = named.get(addr) ?? addr;
    const status = a.upstreamStatus[i] ?? '';
    if (status === '502') {
      messages.push({ from: 'nginx', to: who, label: failed.sent ?? request });
      messages.push({
        from: who,
        to: 'nginx',
        label: failed.got,
        note: 'an error: nginx logs 502',
      });
    } else {
      messages.push({ from: 'nginx', to: who, label: request });
      messages.push({ from: who, to: 'nginx', label: status });
    }
  });
  messages.push({ from: 'nginx', to: 'client', label: String(a.status) });
  const parties = ['client', 'nginx', ...new Set(a.upstreams.map((x) => named.get(x) ?? x))];
  return { kind: 'sequence' as const, title, parties, messages };
}

export const passiveHealthStep = step<Env>(
  {
    id: 'passive-health',
    section: 'passive-health-checks',
    title:
      'nginx marks a dead upstream failed after real requests hit it (max_fails, fail_timeout)',
  },
  async (t, env) => {
    const bs = await backends(t, 2);
    const dead = `127.0.0.1:${await freePort()}`;
    const servers = (params: string) => [dead + params, ...bs.map((b) => b.address)];
    const ng = await nginx(t, env, 'passive', {
      upstreams: [
        upstream('defaults', servers('')),
        upstream('never', servers(' max_fails=0')),
        upstream('backup_idle', [`${bs[0]?.address}`, `${bs[1]?.address} backup`]),
        upstream('backup_used', [dead, `${bs[1]?.address} backup`]),
      ].join('\n'),
      locations: ['defaults', 'never', 'backup_idle', 'backup_used']
        .map((u) => location(`/${u}`, u))
        .join('\n'),
    });
    const n = 30;
    const withDefaults = await spread(`${ng.url}/defaults`, n);
    const withoutMarking = await spread(`${ng.url}/never`, n);
    const log = await ng.accessLog(2 * n);
    const triedDead = (uri: string) =>
      log.filter((a) => a.uri === uri && a.upstreams.includes(dead));
    const first = triedDead('/defaults')[0];
    t.figure({
      kind: 'matrix',
      title: `${n} GETs to [dead, b1, b2]`,
      columns: ['answered 200', 'requests that tried the dead server'],
      rows: [
        ['max_fails=1 fail_timeout=10s (the defaults)', withDefaults, '/defaults'],
        ['max_fails=0 (never marked)', withoutMarking, '/never'],
      ].map(([label, s, uri]) => ({
        label: label as string,
        cells: [
          String(
            countsOf(
              s as typeof withDefaults,
              bs.map((b) => b.id),
            ).reduce((a, b) => a + b),
          ),
          String(triedDead(uri as string).length),
        ],
      })),
    });
    const named = new Map([
      [dead, 'dead'],
      ...bs.map((b) => [b.address, b.id] as [string, string]),
    ]);
    if (first) {
      t.figure(
        exchange('the one request that found the dead server', first, named, {
          sent: 'connect()',
          got: 'connection refused',
        }),
      );
    }
    t.equal(
      'every GET was answered: nginx retried the failed connect on a live server',
      withDefaults.failures.size + withoutMarking.failures.size,
      0,
    );
    t.equal(
      'with the defaults (max_fails=1), exactly one request tried the dead server; then it was skipped',
      triedDead('/defaults').length,
      1,
    );
    t.equal(
      'that request shows both tries in the access log: 502 from the dead server, then 200',
      first?.upstreamStatus,
      ['502', '200'],
    );
    t.check(
      'the error log says so: "upstream server temporarily disabled"',
      ng.errorLog().some((l) => l.includes('upstream server temporarily disabled')),
    );
    t.equal(
      'with max_fails=0 it is never skipped: every third request tries it again, 10 of 30',
      triedDead('/never').length,
      n / 3,
    );
    const idle = await spread(`${ng.url}/backup_idle`, 5);
    const used = await spread(`${ng.url}/backup_used`, 5);
    const backup = (bs[1] as Backend).id;
    t.show('[b1, b2 backup]', idle.order.join(' '));
    t.show('[dead, b2 backup]', used.order.join(' '));
    t.equal(
      `a \`backup\` server gets traffic only when no primary is up: ${backup} answered 0 of 5, then 5 of 5`,
      [idle.counts.get(backup) ?? 0, used.counts.get(backup) ?? 0],
      [0, 5],
    );
  },
);

export const activeHealthStep = step<Env>(
  {
    id: 'active-health',
    section: 'active-health-checks',
    title: 'HAProxy `check` marks a failing server DOWN before any user request reaches it',
  },
  async (t, env) => {
    const bs = await backends(t, 3);
    const ids = bs.map((b) => b.id);
    const sick = bs[1] as Backend;
    sick.healthy = false;
    const hp = await haproxy(t, env, 'active', {
      backend: [
        'balance roundrobin',
        'option httpchk GET /health',
        'default-server check inter 100ms fall 2 rise 2',
        ...serverLines(bs),
      ],
    });
    t.waiting(`HAProxy's checks of ${sick.id} (GET /health → 503, every 100 ms, fall 2)`);
    const down = await hp.untilServers(
      (s) => ids.every((id) => s.get(id)?.status === (id === sick.id ? 'DOWN' : 'UP')),
      `${sick.id} DOWN`,
    );
    const describe = (s: typeof down) =>
      ids.map((id) => `${id} ${s.get(id)?.status} ${s.get(id)?.checkStatus}`).join(', ');
    t.show('show stat', describe(down));
    t.equal(
      `${sick.id} is DOWN with check status L7STS (a wrong HTTP status), before any user request`,
      [down.get(sick.id)?.checkStatus, sick.requests.length],
      ['L7STS', 0],
    );
    const during = await spread(hp.url, 20);
    const after = await hp.servers();
    t.equal(
      `20 user requests: all answered, none sent to ${sick.id} (b1/b2/b3)`,
      [...countsOf(during, ids), during.failures.size],
      [10, 0, 10, 0],
    );
    t.equal(
      "the stats socket's stot per server agrees",
      ids.map((id) => after.get(id)?.stot),
      [10, 0, 10],
    );
    sick.healthy = true;
    t.waiting(`${sick.id} answering 200 again: rise 2`);
    const up = await hp.untilServers((s) => s.get(sick.id)?.status === 'UP', `${sick.id} UP`);
    t.show('show stat', describe(up));
    const back = await spread(hp.url, 30);
    t.equal(`once UP again, ${sick.id} takes its share: 10 of 30`, back.counts.get(sick.id), 10);
    const drained = bs[2] as Backend;
    await hp.command(`disable server app/${drained.id}`);
    const maint = await hp.servers();
    const states = await hp.serverStates();
    const whileMaint = await spread(hp.url, 20);
    await hp.command(`enable server app/${drained.id}`);
    t.show(
      'show servers state',
      ids
        .map((id) => `${id} op ${states.get(id)?.opState} admin ${states.get(id)?.adminState}`)
        .join(', '),
    );
    t.equal(
      `\`disable server app/${drained.id}\` puts it in MAINT (admin state 1): of 20 requests it gets 0`,
      [
        maint.get(drained.id)?.status,
        states.get(drained.id)?.adminState,
        whileMaint.counts.get(drained.id) ?? 0,
      ],
      ['MAINT', 1, 0],
    );
    const refused = nginxRejects(env.run, 'health-check', {
      upstreams: upstream(
        'app',
        bs.map((b) => b.address),
        ['zone app 64k'],
      ),
      locations: location('/', 'app', ['health_check']),
    });
    t.match(
      'open-source nginx has no active checks: `health_check` is an unknown directive (NGINX Plus)',
      refused ?? '',
      /^unknown directive "health_check"/,
    );
  },
);

export const retriesStep = step<Env>(
  {
    id: 'retries',
    section: 'retries-and-idempotency',
    title: 'A backend resets mid-request: nginx retries the GET elsewhere, not the POST',
  },
  async (t, env) => {
    const [crash, ok] = (await backends(t, 2)) as [Backend, Backend];
    crash.id = 'crashes';
    ok.id = 'healthy';
    crash.mode = 'reset';
    // Each location has its own upstream, so each request's first pick is `crashes`.
    const servers = [crash, ok].map((b) => `${b.address} max_fails=0`);
    const cases = [
      { method: 'GET', path: '/get', extra: [] as string[] },
      { method: 'POST', path: '/post', extra: [] },
      { method: 'PUT', path: '/put', extra: [] },
      {
        method: 'POST',
        path: '/post-ni',
        extra: ['proxy_next_upstream error timeout non_idempotent'],
      },
    ];
    const name = (path: string) => `u${path.replace(/\W/g, '_')}`;
    // And a POST whose first server refuses the connection: nothing was sent there.
    const dead = `127.0.0.1:${await freePort()} max_fails=0`;
    const ng = await nginx(t, env, 'retries', {
      upstreams: [
        ...cases.map((c) => upstream(name(c.path), servers)),
        upstream('refused', [dead, servers[1] as string]),
      ].join('\n'),
      locations: [
        ...cases.map((c) => location(c.path, name(c.path), c.extra)),
        location('/post-refused', 'refused'),
      ].join('\n'),
    });
    const statuses: number[] = [];
    for (const c of [...cases, { method: 'POST', path: '/post-refused' }]) {
      statuses.push((await send(`${ng.url}${c.path}`, { method: c.method, body: 'x=1' })).status);
    }
    const log = await ng.accessLog(statuses.length);
    const entry = (path: string) => log.find((a) => a.uri === path);
    const named = new Map([crash, ok].map((b) => [b.address, b.id]));
    const reset = { got: 'connection reset (request read, no response)' };
    for (const [path, title] of [
      ['/get', 'GET: the reset is an error, so the next upstream gets it'],
      ['/post', 'POST: not passed on once sent (non-idempotent)'],
    ] as const) {
      const a = entry(path);
      if (a) t.figure(exchange(title, a, named, reset));
    }
    t.equal(
      'the crashing backend received all four requests (it read each one, then reset)',
      crash.requests,
      cases.map((c) => `${c.method} ${c.path}`),
    );
    t.equal(
      'the GET is answered 200, by the next upstream',
      [statuses[0], entry('/get')?.upstreamStatus],
      [200, ['502', '200']],
    );
    t.equal(
      'the POST gets 502: nginx does not resend a POST it already sent',
      [statuses[1], entry('/post')?.upstreams.length],
      [502, 1],
    );
    t.equal('a PUT is retried like the GET (idempotent by RFC 9110 §9.2.2): 200', statuses[2], 200);
    t.equal('`proxy_next_upstream … non_idempotent` retries the POST too: 200', statuses[3], 200);
    t.equal(
      'a POST whose connection was refused was never sent, so it is passed on: 200',
      [statuses[4], entry('/post-refused')?.upstreamStatus],
      [200, ['502', '200']],
    );
    t.equal(
      'so the healthy backend saw the GET, the PUT and the two passed-on POSTs, never the first',
      ok.requests,
      ['GET /get', 'PUT /put', 'POST /post-ni', 'POST /post-refused'],
    );
  },
);

export const retryTriesStep = step<Env>(
  {
    id: 'retry-tries',
    section: 'retries-and-idempotency',
    title: '`proxy_next_upstream_tries` bounds how many upstreams one request may try',
  },
  async (t, env) => {
    const bs = await backends(t, 3);
    for (const b of bs) b.mode = 'reset';
    const servers = bs.map((b) => `${b.address} max_fails=0`);
    const ng = await nginx(t, env, 'tries', {
      upstreams: [upstream('all', servers), upstream('two', servers)].join('\n'),
      locations: [
        location('/all', 'all'),
        location('/two', 'two', ['proxy_next_upstream_tries 2']),
      ].join('\n'),
    });
    const all = await send(`${ng.url}/all`);
    const two = await send(`${ng.url}/two`);
    const log = await ng.accessLog(2);
    const tried = (uri: string) => log.find((a) => a.uri === uri)?.upstreams.length;
    t.table(
      ['location', 'status', 'upstreams tried'],
      [
        ['/all (tries 0 = no limit)', all.status, tried('/all')],
        ['/two (proxy_next_upstream_tries 2)', two.status, tried('/two')],
      ],
    );
    t.equal(
      'with every upstream failing, the GET ends in 502 either way',
      [all.status, two.status],
      [502, 502],
    );
    t.equal('by default (tries 0) nginx tries every server once: 3', tried('/all'), 3);
    t.equal('`proxy_next_upstream_tries 2` stops after 2', tried('/two'), 2);
  },
);
