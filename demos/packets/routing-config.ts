// The FRR configurations of the routing steps' triangles, and the timers they shorten. Only what
// makes the test fast is changed, and the transcript says so: the dead and hold times (so a
// silent failure is noticed in seconds, not 40 s or 180 s), OSPF's hello, retransmission and LSA
// pacing (so the area converges in seconds after a start or a link's return), and BGP's connect
// retry (so a session comes back a second after its link). Everything else is FRR's default.

import { CORNERS, type Corner, loopback, type Triangle } from './triangle.ts';

/** Each timer shortened: its name, FRR's default, the value here. */
export const OSPF = {
  hello: { name: 'hello interval', default: '10 s', seconds: 1 },
  dead: { name: 'dead interval', default: '40 s', seconds: 4 },
  /** RxmtInterval: an LSA or request a neighbour did not acknowledge is sent again after it. */
  retransmit: { name: 'retransmit interval', default: '5 s', seconds: 1 },
  /** MinLSInterval: the least time between two originations of a router's own LSA. */
  lsaInterval: { name: 'LSA origination interval', default: '5 s', seconds: 1 },
};

export const BGP = {
  keepalive: { name: 'keepalive', default: '60 s', seconds: 1 },
  /** RFC 4271 §4.2: a hold time is 0 or at least 3 seconds. */
  hold: { name: 'hold time', default: '180 s', seconds: 3 },
  connect: { name: 'connect retry', default: '120 s', seconds: 1 },
};

/** The rows "timer | FRR default | this test", for the transcript. */
export function timerRows(
  timers: Record<string, { name: string; default: string; seconds: number }>,
) {
  return Object.values(timers).map((x) => [x.name, x.default, `${x.seconds} s`]);
}

const others = (n: Corner) => CORNERS.filter((m) => m !== n);

/** Router n of an OSPF area 0 over every link (point-to-point: no DR election, no 40 s wait). */
export function ospfConfig(tri: Triangle, n: Corner): string {
  const links = others(n).map((m) =>
    [
      `interface ${tri.dev(n, m)}`,
      ' ip ospf network point-to-point',
      ` ip ospf hello-interval ${OSPF.hello.seconds}`,
      ` ip ospf dead-interval ${OSPF.dead.seconds}`,
      ` ip ospf retransmit-interval ${OSPF.retransmit.seconds}`,
    ].join('\n'),
  );
  return [
    `hostname ${tri.name[n]}`,
    ...links,
    'router ospf',
    ` ospf router-id ${loopback(n)}`,
    ' network 198.18.0.0/15 area 0',
    ` timers throttle lsa all ${OSPF.lsaInterval.seconds * 1000}`,
    ' log-adjacency-changes detail',
    '',
  ].join('\n');
}

const asn = (n: Corner) => 65000 + n;

/** The session whose link the steps cut (1–2) gets the short timers; the others keep FRR's. */
const cutSession = (a: Corner, b: Corner) => a + b === 3;

/** Router n in AS 6500n, an eBGP session with each other router, announcing its loopback. */
export function bgpConfig(tri: Triangle, n: Corner): string {
  const lines = [
    `hostname ${tri.name[n]}`,
    `router bgp ${asn(n)}`,
    ` bgp router-id ${loopback(n)}`,
    ' bgp log-neighbor-changes',
  ];
  for (const m of others(n)) {
    const peer = tri.addr(m, n);
    lines.push(` neighbor ${peer} remote-as ${asn(m)}`);
    lines.push(` neighbor ${peer} timers connect ${BGP.connect.seconds}`);
    if (cutSession(n, m))
      lines.push(` neighbor ${peer} timers ${BGP.keepalive.seconds} ${BGP.hold.seconds}`);
  }
  lines.push(' address-family ipv4 unicast', `  network ${loopback(n)}/32`, ' exit-address-family');
  return `${lines.join('\n')}\n`;
}

/** RFC 8212's policy at its simplest, as vtysh commands: accept and announce everything. */
export function permitAll(tri: Triangle, n: Corner): string[] {
  const af = others(n).flatMap((m) => [
    `neighbor ${tri.addr(m, n)} route-map ALL in`,
    `neighbor ${tri.addr(m, n)} route-map ALL out`,
  ]);
  return [
    'configure terminal',
    'route-map ALL permit 10',
    'exit',
    `router bgp ${asn(n)}`,
    'address-family ipv4 unicast',
    ...af,
  ];
}
