// Steps on keeping a client on one backend: ip_hash (and its /24 granularity), hash … consistent
// against a modulo hash when a backend is added, and sticky cookies (HAProxy) versus what
// open-source nginx offers instead.

import { Agent } from 'node:http';
import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { ipHashPick, moduloHashPick } from './algorithms.ts';
import type { Backend } from './backends.ts';
import { send } from './client.ts';
import type { Env } from './env.ts';
import { type ServerStat, serverLines } from './haproxy.ts';
import { backends, haproxy, nginx } from './lab.ts';
import { location, nginxRejects, upstream } from './nginx.ts';
import { countsOf, spread } from './spread.ts';
import { NGINX_STICKY } from './versions.ts';

/** The backend that answers each client address (3 requests each: they must agree). */
async function placements(url: string, clients: string[]): Promise<Map<string, string>> {
  const placed = new Map<string, string>();
  for (const ip of clients) {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) seen.add((await send(url, { localAddress: ip })).firstLine);
    placed.set(ip, seen.size === 1 ? ([...seen][0] as string) : [...seen].join('|'));
  }
  return placed;
}

function tally(placed: Map<string, string>, ids: string[]): string[] {
  const values = [...placed.values()];
  return ids.map((id) => String(values.filter((v) => v === id).length));
}

export const ipHashStep = step<Env>(
  {
    id: 'ip-hash',
    section: 'ip-hash',
    title: 'ip_hash keys on the first three octets: a whole /24 lands on one backend',
  },
  async (t, env) => {
    const bs = await backends(t, 3);
    const ids = bs.map((b) => b.id);
    const ng = await nginx(t, env, 'ip-hash', {
      upstreams: upstream(
        'app',
        bs.map((b) => b.address),
        ['ip_hash'],
      ),
      locations: location('/', 'app'),
    });
    const hp = await haproxy(t, env, 'source', {
      backend: ['balance source', ...serverLines(bs)],
    });
    // Linux routes all of 127.0.0.0/8 to loopback, so each address is a distinct client.
    const sameNet = Array.from({ length: 40 }, (_, i) => `127.0.0.${i + 2}`);
    const thirdOctet = Array.from({ length: 40 }, (_, i) => `127.0.${i + 1}.1`);
    const sameAtNginx = await placements(ng.url, sameNet);
    const spreadAtNginx = await placements(ng.url, thirdOctet);
    const sameAtHaproxy = await placements(hp.url, sameNet);
    t.figure({
      kind: 'matrix',
      title: 'clients per backend (40 client addresses each row, 3 requests per client)',
      columns: ids,
      rows: [
        { label: 'nginx ip_hash, 127.0.0.2–41', cells: tally(sameAtNginx, ids) },
        { label: 'nginx ip_hash, 127.0.1–40.1', cells: tally(spreadAtNginx, ids) },
        { label: 'HAProxy source, 127.0.0.2–41', cells: tally(sameAtHaproxy, ids) },
      ],
    });
    const all = [...sameAtNginx.values(), ...spreadAtNginx.values(), ...sameAtHaproxy.values()];
    t.check(
      'a client stays put: each address got all 3 of its requests from one backend, at both balancers',
      all.every((v) => ids.includes(v)),
    );
    t.equal(
      'nginx ip_hash puts all 40 clients of 127.0.0.0/24 on a single backend',
      new Set(sameAtNginx.values()).size,
      1,
    );
    t.check(
      'varying the third octet spreads them over the backends',
      new Set(spreadAtNginx.values()).size > 1,
    );
    const predicted = [...sameNet, ...thirdOctet].map((ip) => ids[ipHashPick(ip, ids.length)]);
    t.equal(
      "nginx's formula over the first three octets predicts all 80 placements",
      [...sameAtNginx.values(), ...spreadAtNginx.values()],
      predicted,
    );
    t.check(
      'HAProxy `balance source` hashes the whole address: the same 40 clients spread',
      new Set(sameAtHaproxy.values()).size > 1,
    );
  },
);

const KEYS = Array.from({ length: 400 }, (_, i) => `user-${i}`);

/** Which backend each key lands on, through one location (a keep-alive client: it is fast). */
async function keyPlacement(url: string): Promise<string[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const out: string[] = [];
    for (const k of KEYS) out.push((await send(`${url}?key=${k}`, { agent })).firstLine);
    return out;
  } finally {
    agent.destroy();
  }
}

export const consistentHashStep = step<Env>(
  {
    id: 'consistent-hash',
    section: 'consistent-hashing',
    title: 'Adding a 4th backend: consistent hashing moves about 1/4 of the keys, modulo most',
  },
  async (t, env) => {
    const bs = await backends(t, 4);
    const three = bs.slice(0, 3).map((b) => b.address);
    const four = bs.map((b) => b.address);
    const added = (bs[3] as Backend).id;
    const ng = await nginx(t, env, 'hash', {
      upstreams: [
        upstream('c3', three, ['hash $arg_key consistent']),
        upstream('c4', four, ['hash $arg_key consistent']),
        upstream('m3', three, ['hash $arg_key']),
        upstream('m4', four, ['hash $arg_key']),
      ].join('\n'),
      locations: ['c3', 'c4', 'm3', 'm4'].map((u) => location(`/${u}`, u)).join('\n'),
    });
    const [c3, c4, m3, m4] = await Promise.all(
      ['c3', 'c4', 'm3', 'm4'].map((u) => keyPlacement(`${ng.url}/${u}`)),
    );
    const moved = (before: string[], after: string[]) =>
      KEYS.flatMap((_, i) => (before[i] !== after[i] ? [[before[i], after[i]]] : []));
    const movedConsistent = moved(c3 as string[], c4 as string[]);
    const movedModulo = moved(m3 as string[], m4 as string[]);
    const share = (n: number) => `${n} (${Math.round((100 * n) / KEYS.length)} %)`;
    t.figure({
      kind: 'matrix',
      title: `${KEYS.length} keys, 3 backends → 4 (${added} added)`,
      columns: ['keys moved', 'moved to the new backend', 'moved between old ones'],
      rows: [
        ['hash $arg_key consistent', movedConsistent],
        ['hash $arg_key (modulo)', movedModulo],
      ].map(([label, m]) => {
        const list = m as string[][];
        const toNew = list.filter(([, to]) => to === added).length;
        return {
          label: label as string,
          cells: [share(list.length), String(toNew), String(list.length - toNew)],
        };
      }),
    });
    t.check(
      'with `consistent`, every key that moved went to the new backend, none between the old ones',
      movedConsistent.every(([, to]) => to === added),
    );
    const fraction = movedConsistent.length / KEYS.length;
    t.check(
      `with \`consistent\`, about 1/4 moved: ${share(movedConsistent.length)}, within 10–40 %`,
      fraction >= 0.1 && fraction <= 0.4,
    );
    t.check(
      `without it, most keys moved: ${share(movedModulo.length)}, over half`,
      movedModulo.length > KEYS.length / 2,
    );
    const ids = bs.map((b) => b.id);
    t.equal(
      'the plain hash is (crc32(key) >> 16 & 0x7fff) mod N: it predicts all 800 placements',
      [...(m3 as string[]), ...(m4 as string[])],
      [
        ...KEYS.map((k) => ids[moduloHashPick(k, 3)]),
        ...KEYS.map((k) => ids[moduloHashPick(k, 4)]),
      ],
    );
  },
);

/** The `SRV=…` value a response sets, if any. */
function srvCookie(headers: Record<string, string | string[] | undefined>): string | undefined {
  const set = headers['set-cookie'] ?? [];
  const m = /^SRV=([^;]*)/.exec((Array.isArray(set) ? set : [set]).join('\n'));
  return m?.[1];
}

export const stickyCookieStep = step<Env>(
  {
    id: 'sticky-cookie',
    section: 'sticky-sessions',
    title: 'HAProxy `cookie SRV insert`: a client stays on its server until that server goes down',
  },
  async (t, env) => {
    const bs = await backends(t, 3);
    const hp = await haproxy(t, env, 'sticky', {
      backend: [
        'balance roundrobin',
        'cookie SRV insert indirect nocache',
        'option httpchk GET /health',
        'default-server check inter 100ms fall 1 rise 1',
        ...serverLines(bs, (b) => `cookie ${b.id}`),
      ],
    });
    await hp.untilServers(
      (s) => [...s.values()].every((x) => x.status === 'UP'),
      'every server UP',
    );
    const first = await send(hp.url);
    const home = first.firstLine;
    const cookie = srvCookie(first.headers);
    t.show('first response', `from ${home}, Set-Cookie: ${String(first.headers['set-cookie'])}`);
    t.equal('the first response sets SRV to the server that answered it', cookie, home);
    const without = await spread(hp.url, 6);
    const sticky = await spread(hp.url, 10, { kind: 'body' }, () => ({
      headers: { Cookie: `SRV=${home}` },
    }));
    const again = await send(hp.url, { headers: { Cookie: `SRV=${home}` } });
    t.show('6 requests without the cookie', without.order.join(' '));
    t.show(`10 requests with SRV=${home}`, sticky.order.join(' '));
    t.equal(`all 10 requests carrying SRV=${home} went to ${home}`, sticky.counts.get(home), 10);
    t.equal(
      '`indirect`: a request that already carries the right cookie gets no Set-Cookie back',
      srvCookie(again.headers),
      undefined,
    );
    const down = bs.find((b) => b.id === home) as Backend;
    await down.close();
    const marked = await hp.untilServers((s) => s.get(home)?.status === 'DOWN', `${home} DOWN`);
    // The check that marked it DOWN may have been in flight when the server closed: its
    // connection was reset, and HAProxy says SOCKERR (seen once on a loaded machine). Every check
    // started after the close (inter 100ms) finds the port closed.
    const stats = await hp
      .untilServers(
        (s) => s.get(home)?.status === 'DOWN' && s.get(home)?.checkStatus === 'L4CON',
        `a check of ${home} refused`,
      )
      .catch(() => hp.untilServers(() => true, 'show stat'));
    const line = (m: Map<string, ServerStat>) =>
      [...m].map(([id, s]) => `${id} ${s.status} ${s.checkStatus}`).join(', ');
    t.show('show stat, when it went DOWN', line(marked));
    t.show('show stat, the checks after', line(stats));
    t.equal(
      `with ${home} stopped, HAProxy's check marks it DOWN (L4CON: connection refused)`,
      `${stats.get(home)?.status} ${stats.get(home)?.checkStatus}`,
      'DOWN L4CON',
    );
    const moved = await send(hp.url, { headers: { Cookie: `SRV=${home}` } });
    const now = moved.firstLine;
    t.figure({
      kind: 'sequence',
      title: `${home} is DOWN; the client still sends its cookie`,
      parties: ['client', 'HAProxy', now],
      messages: [
        { from: 'client', to: 'HAProxy', label: 'GET /', lines: [`Cookie: SRV=${home}`] },
        { from: 'HAProxy', to: now, label: 'GET /', note: `${home} is DOWN: round robin picks` },
        { from: now, to: 'HAProxy', label: String(moved.status) },
        {
          from: 'HAProxy',
          to: 'client',
          label: String(moved.status),
          lines: [`Set-Cookie: ${String(moved.headers['set-cookie'])}`],
        },
      ],
    });
    t.check(
      `a request still carrying SRV=${home} is served by another server (${moved.firstLine}), not refused`,
      moved.status === 200 && moved.firstLine !== home,
    );
    t.equal(
      'and its response re-pins the client there: Set-Cookie SRV=<the new server>',
      srvCookie(moved.headers),
      moved.firstLine,
    );
  },
);

export const nginxStickyStep = step<Env>(
  {
    id: 'nginx-sticky',
    section: 'sticky-sessions',
    title:
      'nginx `sticky` (open source only since 1.29.6); a hash on the session cookie works on any',
  },
  async (t, env) => {
    const bs = await backends(t, 3);
    const ids = bs.map((b) => b.id);
    const servers = bs.map((b) => b.address);
    const refused = nginxRejects(env.run, 'sticky', {
      upstreams: upstream('app', servers, ['sticky cookie srv_id expires=1h']),
      locations: location('/', 'app'),
    });
    t.show('nginx -t', refused ?? '(accepted)');
    const fact = expectedFor(NGINX_STICKY, env.nginxVersion);
    t.equal(
      `\`nginx -t\` on \`sticky cookie …\` (${fact.when}): ${fact.value}`,
      refused === undefined
        ? 'accepted'
        : /^unknown directive "sticky"/.test(refused)
          ? 'rejected: unknown directive "sticky" (NGINX Plus only)'
          : `rejected: ${refused}`,
      fact.value,
    );
    const ng = await nginx(t, env, 'cookie-hash', {
      upstreams: upstream('app', servers, ['hash $cookie_sid consistent']),
      locations: location('/', 'app'),
    });
    const sessions = Array.from({ length: 12 }, (_, i) => `s${i + 1}`);
    const setCookies: unknown[] = [];
    const placed = new Map<string, Set<string>>();
    for (const sid of sessions) {
      for (let i = 0; i < 5; i++) {
        const r = await send(ng.url, { headers: { Cookie: `sid=${sid}` } });
        if (r.headers['set-cookie']) setCookies.push(r.headers['set-cookie']);
        placed.set(sid, (placed.get(sid) ?? new Set()).add(r.firstLine));
      }
    }
    t.figure({
      kind: 'matrix',
      title: '12 sessions × 5 requests, hash $cookie_sid consistent',
      columns: ids,
      rows: [
        {
          label: 'sessions',
          cells: ids.map((id) => sessions.filter((s) => placed.get(s)?.has(id)).join(' ') || '—'),
        },
      ],
    });
    t.check(
      'every session cookie kept all 5 of its requests on one backend',
      [...placed.values()].every((s) => s.size === 1),
    );
    t.check(
      'and different sessions spread over the backends',
      new Set([...placed.values()].map((s) => [...s][0])).size > 1,
    );
    t.equal(
      'nginx set no cookie itself: the application has to issue the session id',
      setCookies.length,
      0,
    );
    const counted = await spread(ng.url, 6);
    t.show('6 requests without a cookie', counted.order.join(' '));
    t.equal(
      'a request without the cookie (an empty key) falls back to round robin: 2 each of 6',
      countsOf(counted, ids),
      [2, 2, 2],
    );
  },
);
