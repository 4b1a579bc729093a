// What the seed notes and interview lore say about ICMP, path MTU, link-local addresses and
// routing protocols.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'link-local-not-routed',
    said: 'Link-local addresses are for one network segment only; routers will not forward packets with link-local addresses.',
    source: 'seed 000:173',
    verdict: 'partly',
    truth:
      'True of IPv6 (a router answers "Beyond scope of source address"), but Linux forwards an IPv4 169.254/16 source across routers although RFC 3927 §2.7 says a router MUST NOT: filter it yourself.',
    by: { step: 'link-local', claim: 'Linux routers forward a 169.254/16 source' },
  },
  {
    id: 'link-local-autoconf',
    said: 'Link-local addresses are used for automatic configuration when no outside source of addresses is available.',
    source: 'seed 000:174',
    verdict: 'partly',
    truth:
      'IPv6 gives every interface a fe80:: address whether or not anything else configures it (RFC 4291 §2.5.6, RFC 4862); IPv4 link-local is the fallback the seed describes, and only a daemon sets it.',
    by: { step: 'link-local', claim: 'the kernel gave the fresh interface an IPv6 link-local' },
  },
  {
    id: 'link-local-os-assigns',
    said: 'The host OS assigns an IPv4 address from 169.254.1.0-169.254.254.255 automatically when no DHCP server is available.',
    source: 'seed 000:175',
    verdict: 'partly',
    truth:
      "The range is RFC 3927 §2.1's, but the Linux kernel assigns none: avahi-autoipd, NetworkManager or systemd-networkd (`LinkLocalAddressing=`) does.",
    by: { step: 'link-local', claim: 'but no IPv4 link-local one' },
  },
  {
    id: 'icmp-diagnostics',
    said: 'ICMP is a layer-3 protocol for diagnosing connectivity: it tells whether a packet can reach the destination within set time limits.',
    source: 'seed 000:260',
    verdict: 'partly',
    truth:
      'ICMP rides in IP (protocol 1) and reports errors for it; the "time limit" is the TTL, a hop count, whose expiry each router reports with "time exceeded", which is what traceroute reads.',
    by: { step: 'icmp', claim: 'with TTL 1 the first router drops the packet' },
  },
  {
    id: 'icmp-only-diagnostics',
    said: 'ICMP is needed for diagnosing connectivity problems.',
    source: 'seed 000:261',
    verdict: 'partly',
    truth:
      'TCP needs it too: path MTU discovery (RFC 1191) learns the path MTU only from "fragmentation needed"; drop those and large transfers stall.',
    by: { step: 'pmtud', claim: 'r2 did generate those ICMP errors' },
  },
  {
    id: 'ping-works',
    said: 'Ping works, so the network is fine.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Ping sends small packets: with "fragmentation needed" dropped on the path, ping answers while every full-size TCP segment vanishes (a PMTU black hole).',
    by: { step: 'pmtud', claim: 'while ping, whose packets are small, still works' },
  },
  {
    id: 'block-all-icmp',
    said: 'Blocking all ICMP is a harmless hardening step.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Dropping "fragmentation needed" stalls TCP wherever the path MTU is smaller than the endpoints\' links; allow it (RFC 4890 for ICMPv6 "packet too big"), or clamp the MSS.',
    by: { step: 'pmtud', claim: 'with "fragmentation needed" dropped the transfer stalls' },
  },
  {
    id: 'igp-egp',
    said: 'Routing protocols are exterior (BGP, between autonomous systems) and interior (OSPF, RIP, inside one).',
    source: 'seed 000:182',
    verdict: 'holds',
    truth:
      'BGP exchanges reachability between autonomous systems (RFC 4271 §1), each path carrying the ASes it crossed; OSPF is an interior gateway protocol within one (RFC 2328 §1).',
    by: { step: 'bgp', claim: "b1 holds two paths to b2's prefix" },
  },
  {
    id: 'ospf-neighbours',
    said: 'OSPF stores information about neighbouring routers.',
    source: 'seed 000:184',
    verdict: 'partly',
    truth:
      "It keeps a neighbour table, and every router of an area also holds the whole area's link-state database: each router's LSA with all its links, including links between routers it is not next to; it computes shortest paths over that map.",
    by: { step: 'ospf', claim: "o1's copy of o2's LSA lists o2's link to o3" },
  },
  {
    id: 'bgp-internet',
    said: 'BGP stores information about "the internet".',
    source: 'seed 000:186',
    verdict: 'partly',
    truth:
      "It stores the paths its peers advertise for each prefix, each with its AS_PATH, and picks one per prefix (shortest AS_PATH first, after local preference); no router sees the whole topology, only its neighbours' chosen paths.",
    by: { step: 'bgp', claim: 'the path with the shorter AS_PATH is the best one' },
  },
  {
    id: 'ospf-faster',
    said: 'OSPF converges faster than BGP.',
    source: 'seed 000:188',
    verdict: 'partly',
    truth:
      "On a carrier loss both react at once (FRR's eBGP drops the session when the interface goes down); on a silent failure each waits for its timer, 40 s for OSPF's dead interval and 180 s for FRR's BGP hold time by default, so OSPF is faster only by its defaults. Both are tunable, and BFD detects in milliseconds for either.",
    by: { step: 'bgp', claim: 'BGP reacts to a carrier loss at once' },
  },
  {
    id: 'ospf-more-cpu',
    said: "OSPF needs more resources for computation; BGP's needs are set by the size of its table.",
    source: 'seed 000:189',
    verdict: 'partly',
    truth:
      "Each OSPF router runs Dijkstra over its area's database, whose cost grows with the area (why large networks are split into areas, RFC 2328 §3); BGP runs no graph algorithm, but its memory grows with prefixes × paths (a full IPv4 table is about a million prefixes per peer).",
    by: {
      cited:
        'RFC 2328 §3 (splitting the AS into areas), §16 (the shortest-path calculation); RFC 4271 §3.2 (Adj-RIBs-In, Loc-RIB)',
      why: 'costs that grow with scale do not show on a three-router triangle',
    },
  },
  {
    id: 'ebgp-no-policy',
    said: 'Once a BGP session is Established, the peers exchange their routes.',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'RFC 8212: an eBGP session without import and export policies must carry nothing. FRR does so since 7.4 (`bgp ebgp-requires-policy`, shown as "(Policy)"); earlier versions, and the `datacenter` defaults, exchange everything.',
    by: { step: 'bgp', claim: 'with FRR' },
  },
  {
    id: 'failure-detected-at-once',
    said: 'When a link fails, the routing protocol notices at once.',
    source: 'lore',
    verdict: 'partly',
    truth:
      "Only when the failure is a carrier loss the kernel reports. A link that stays up but drops everything (a hung switch, a firewall) is noticed only when the protocol's timer runs out: the dead interval, the hold time, or BFD's if it runs.",
    by: { step: 'ospf', claim: 'a silent failure waits for the dead interval' },
  },
];
