// OSPF and BGP on FRR, each in a triangle of its own (triangle.ts): what each protocol knows (the
// area's link-state database; paths with their AS_PATH), the routes zebra puts in the kernel, and
// how long each takes to route around a failed link, for a carrier loss and a silent failure
// (reroute.ts). The silent case runs with shortened timers (routing-config.ts): waiting 40 s and
// 180 s would make a slow test. FRR's defaults are read back from FRR itself.

import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, untag } from './env.ts';
import { frrVersion, type Router, type RouterSpec, startRouters } from './frr.ts';
import { reconverge, routeVia, secs } from './reroute.ts';
import { BGP, bgpConfig, OSPF, ospfConfig, permitAll, timerRows } from './routing-config.ts';
import { CORNERS, type Corner, loopback, type Triangle, triangle } from './triangle.ts';
import { ebgpRequiresPolicy } from './versions.ts';

const CONVERGE_MS = 20_000;
const poll = { timeoutMs: CONVERGE_MS, intervalMs: 100 };

/** The triangle's routers with `config`, stopped after the step. */
async function routers(
  t: Parameters<Parameters<typeof step<Env>>[1]>[0],
  env: Env,
  tri: Triangle,
  daemon: 'ospfd' | 'bgpd',
  config: (tri: Triangle, n: Corner) => string,
): Promise<[Router, Router, Router]> {
  const specs: RouterSpec[] = CORNERS.map((n) => ({
    name: tri.name[n],
    ns: tri.ns[n],
    config: config(tri, n),
  }));
  const started = await startRouters(env, daemon, specs);
  t.defer(() => {
    for (const r of started) r.stop();
  });
  return started as [Router, Router, Router];
}

interface RouterLsa {
  advertisingRouter: string;
  lsaSeqNumber: string;
  routerLinks: Record<
    string,
    { linkType: string; neighborRouterId?: string; networkAddress?: string }
  >;
}

async function routerLsas(r: Router): Promise<RouterLsa[]> {
  type Db = { routerLinkStates?: { areas?: Record<string, RouterLsa[]> } };
  const db = await r.json<Db>('show ip ospf database router json');
  return db.routerLinkStates?.areas?.['0.0.0.0'] ?? [];
}

/** The routers an LSA has a point-to-point link to, and its stub networks. */
const linksOf = (lsa: RouterLsa, kind: 'p2p' | 'stub') =>
  Object.values(lsa.routerLinks)
    .filter((l) =>
      kind === 'p2p' ? /point-to-point/.test(l.linkType) : l.linkType === 'Stub Network',
    )
    .map((l) => (kind === 'p2p' ? l.neighborRouterId : l.networkAddress))
    .sort();

type OspfIf = { timerMsecs: number; timerDeadSecs: number; timerRetransmitSecs: number };

export const ospfStep = step<Env>(
  {
    id: 'ospf',
    section: 'ospf-a-link-state-protocol-inside-one-as',
    title: "OSPF: every router holds the whole area's map, and routes around a failed link",
    needs: ['frr'],
  },
  async (t, env) => {
    t.uses('frr', await frrVersion());
    const tri = await triangle(env, 'o');
    t.table(['timer (shortened for the test)', 'FRR default', 'here'], timerRows(OSPF));
    const started = performance.now();
    const [o1, o2, o3] = await routers(t, env, tri, 'ospfd', ospfConfig);
    t.waiting('three OSPF adjacencies, then each router flooding its LSA to the others');
    type Nbrs = { neighbors: Record<string, { nbrState: string }[]> };
    await waitFor(
      'o1 Full with o2 and o3',
      async () => {
        const n = await o1.json<Nbrs>('show ip ospf neighbor json');
        const full = Object.values(n.neighbors).flatMap((x) =>
          x.filter((s) => /^Full/.test(s.nbrState)),
        );
        return full.length === 2 ? true : undefined;
      },
      poll,
    );
    t.show('o1 Full with o2 and o3 after', secs(performance.now() - started));
    const lsdb = await waitFor(
      'o1 to hold three router-LSAs with two links each',
      async () => {
        const lsas = await routerLsas(o1);
        const done = lsas.length === 3 && lsas.every((l) => linksOf(l, 'p2p').length === 2);
        return done ? lsas : undefined;
      },
      poll,
    );
    t.show('and its database complete after', secs(performance.now() - started));
    t.table(
      ['router-LSA from', 'seq', 'point-to-point links to', 'stub networks'],
      lsdb.map((l) => [
        l.advertisingRouter,
        l.lsaSeqNumber,
        linksOf(l, 'p2p').join(' '),
        linksOf(l, 'stub').join(' '),
      ]),
    );
    const ids = (lsas: RouterLsa[]) => lsas.map((l) => l.advertisingRouter).sort();
    t.equal(
      "o1's link-state database holds one router-LSA from every router of the area, itself included",
      ids(lsdb),
      CORNERS.map(loopback),
    );
    const ofO2 = lsdb.find((l) => l.advertisingRouter === loopback(2));
    t.equal(
      "o1's copy of o2's LSA lists o2's link to o3 too, a link o1 is not on: a map, not a neighbour list",
      ofO2 ? linksOf(ofO2, 'p2p') : [],
      [loopback(1), loopback(3)],
    );
    t.equal(
      'o2 and o3 hold the same three LSAs: every router computes its routes over the same map',
      [ids(await routerLsas(o2)), ids(await routerLsas(o3))],
      [ids(lsdb), ids(lsdb)],
    );

    const routes = await env.sandbox.ip(tri.ns[1], ['route', 'show', 'proto', 'ospf']);
    t.block(untag(env, routes).trim().split('\n'));
    t.match(
      `zebra put o1's shortest path to o2's loopback in the kernel: ${loopback(2)} via ${tri.addr(2, 1)}, proto ospf`,
      routes,
      routeVia(loopback(2), tri.addr(2, 1)),
    );

    const ifs = (
      await o1.json<{ interfaces: Record<string, OspfIf> }>('show ip ospf interface json')
    ).interfaces;
    const timers = (i?: OspfIf) =>
      i
        ? `hello ${i.timerMsecs / 1000} s, dead ${i.timerDeadSecs} s, retransmit ${i.timerRetransmitSecs} s`
        : 'missing';
    t.table(
      ['o1 interface', 'timers as ospfd reports them'],
      [
        ['lo (none configured)', timers(ifs.lo)],
        ['to o2 (configured)', timers(ifs[tri.dev(1, 2)])],
      ],
    );
    t.equal(
      "an interface with no timers configured shows FRR's defaults (RFC 2328 Appendix C.3's): hello 10 s, dead 40 s, retransmit 5 s",
      timers(ifs.lo),
      'hello 10 s, dead 40 s, retransmit 5 s',
    );

    await reconverge(t, env, tri, {
      name: 'OSPF',
      timer: 'dead interval',
      timerMs: OSPF.dead.seconds * 1000,
      ends: [o1, o2],
      // Each end names the other by its address on the 198.18.12.0/24 link.
      lines: /AdjChg: .*NbrIP 198\.18\.12\.\d .*-> Deleted/,
      carrier: { says: 'the neighbour is gone (KillNbr)', pattern: /Full -> Deleted \(KillNbr\)/ },
      silent: {
        says: 'the dead interval ran out (InactivityTimer)',
        pattern: /Full -> Deleted \(InactivityTimer\)/,
      },
    });
    t.say('With the default dead interval of 40 s, the silent failure would have lasted 30-40 s.');
  },
);

interface Peer {
  state: string;
  peerState?: string;
  pfxRcd?: number;
  pfxSnt?: number;
}
interface Path {
  path: string;
  bestpath?: boolean;
  selectionReason?: string;
  nexthops: { ip: string }[];
}
type BgpTimers = { bgpTimerHoldTimeMsecs: number; bgpTimerKeepAliveIntervalMsecs: number };

const peersOf = async (r: Router) =>
  (await r.json<{ ipv4Unicast?: { peers: Record<string, Peer> } }>('show bgp summary json'))
    .ipv4Unicast?.peers ?? {};

export const bgpStep = step<Env>(
  {
    id: 'bgp',
    section: 'bgp-a-path-vector-protocol-between-ases',
    title: 'eBGP between three ASes: nothing without a policy, then paths with their AS_PATH',
    needs: ['frr'],
  },
  async (t, env) => {
    const version = await frrVersion();
    t.uses('frr', version);
    const tri = await triangle(env, 'b');
    t.table(['timer (shortened for the test)', 'FRR default', 'here'], timerRows(BGP));
    const started = performance.now();
    const all = await routers(t, env, tri, 'bgpd', bgpConfig);
    const b1 = all[0];
    t.waiting('three eBGP sessions (TCP port 179) to reach Established');
    await waitFor(
      'every session Established',
      async () => {
        for (const r of all) {
          const peers = Object.values(await peersOf(r));
          if (peers.length !== 2 || peers.some((p) => p.state !== 'Established')) return undefined;
        }
        return true;
      },
      poll,
    );
    t.show('every session Established after', secs(performance.now() - started));
    const head = ['b1 neighbor', 'state', 'peerState', 'prefixes received', 'sent'];
    const summary = (peers: Record<string, Peer>) =>
      Object.entries(peers).map(([a, p]) => [a, p.state, p.peerState ?? '', p.pfxRcd, p.pfxSnt]);
    const before = await peersOf(b1);
    t.table(head, summary(before));
    const policy = expectedFor(ebgpRequiresPolicy, version);
    const held = Object.values(before).every(
      (p) => p.peerState === 'Policy' && p.pfxRcd === 0 && p.pfxSnt === 0,
    );
    t.equal(
      `with FRR ${policy.when}, an Established eBGP session exchanges no routes until a policy is applied (RFC 8212)`,
      held ? 'none: (Policy)' : 'every route: no (Policy) state',
      policy.value,
    );

    const policed = performance.now();
    for (const n of CORNERS) await all[n - 1]?.vtysh(...permitAll(tri, n));
    const table = await waitFor(
      "b1 to hold two paths to each other router's loopback, and to have chosen between them",
      async () => {
        const { routes } = await b1.json<{ routes: Record<string, Path[]> }>(
          'show bgp ipv4 unicast json',
        );
        // Best-path selection runs after a path arrives, from a work queue: until it has run
        // again, the first path is still marked best "First path received".
        const chosen = (paths?: Path[]) =>
          paths?.length === 2 &&
          paths.some((p) => p.bestpath && p.selectionReason !== 'First path received');
        const both = [2, 3].every((n) => chosen(routes[`${loopback(n as Corner)}/32`]));
        return both ? routes : undefined;
      },
      poll,
    );
    t.show(
      'a permit-all route-map on each session: both paths at b1 after',
      secs(performance.now() - policed),
    );
    t.table(
      ['b1: prefix', 'AS_PATH', 'next hop', 'best, because'],
      Object.entries(table).flatMap(([prefix, paths]) =>
        paths.map((p) => [
          prefix,
          p.path || '(its own)',
          p.nexthops[0]?.ip,
          p.bestpath ? (p.selectionReason ?? 'yes') : '',
        ]),
      ),
    );
    const toB2 = table[`${loopback(2)}/32`] ?? [];
    t.equal(
      "b1 holds two paths to b2's prefix: straight from AS 65002, and through AS 65003",
      toB2.map((p) => p.path).sort(),
      ['65002', '65003 65002'],
    );
    t.equal(
      'the path with the shorter AS_PATH is the best one (RFC 4271 §9.1.2.2)',
      toB2.filter((p) => p.bestpath).map((p) => [p.path, p.selectionReason]),
      [['65002', 'AS Path']],
    );
    const routes = await env.sandbox.ip(tri.ns[1], ['route', 'show', 'proto', 'bgp']);
    t.block(untag(env, routes).trim().split('\n'));
    t.match(
      `only the best path goes into the kernel: ${loopback(2)} via ${tri.addr(2, 1)}, proto bgp`,
      routes,
      routeVia(loopback(2), tri.addr(2, 1)),
    );

    const nbrs = await b1.json<Record<string, BgpTimers>>('show bgp neighbors json');
    const timers = (n?: BgpTimers) =>
      n
        ? `keepalive ${n.bgpTimerKeepAliveIntervalMsecs / 1000} s, hold ${n.bgpTimerHoldTimeMsecs / 1000} s`
        : 'missing';
    t.table(
      ['b1 session', 'timers as bgpd reports them'],
      [
        ['with b3 (none configured)', timers(nbrs[tri.addr(3, 1)])],
        ['with b2 (configured)', timers(nbrs[tri.addr(2, 1)])],
      ],
    );
    t.equal(
      "a session with no timers configured shows FRR's defaults: keepalive 60 s, hold 180 s",
      timers(nbrs[tri.addr(3, 1)]),
      'keepalive 60 s, hold 180 s',
    );

    await reconverge(t, env, tri, {
      name: 'BGP',
      timer: 'hold time',
      timerMs: BGP.hold.seconds * 1000,
      ends: [b1, all[1]],
      lines: /neighbor 198\.18\.12\.\d\b.*(Down|Hold Timer)/,
      carrier: { says: 'the session is down: "Interface down"', pattern: /Down Interface down/ },
      silent: {
        says: 'the hold timer expired: NOTIFICATION 4/0 "Hold Timer Expired" (RFC 4271 §6.5)',
        pattern: /sent to neighbor \S+ 4\/0 \(Hold Timer Expired\)/,
      },
    });
    t.say(
      "With FRR's default hold time of 180 s, the silent failure would have lasted 2-3 minutes.",
    );
  },
);
