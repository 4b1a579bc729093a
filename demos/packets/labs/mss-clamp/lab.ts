// Lab: a black hole on someone else's router, mended from your own. r2 of the demo's chain drops
// the ICMP errors path MTU discovery needs (the pmtud step's ruleset, and its IPv6 twin); the
// learner's ruleset is loaded into r1, and the claims are the pmtud step's transfer, run over
// IPv4 and over IPv6 with the same server and client.

import { readFileSync } from 'node:fs';
import { defineLab } from '../../../kit/lab.ts';
import { ADDR } from '../../env.ts';
import { labEnv } from '../../lab-env.ts';
import {
  BYTES,
  DROP_FRAG_NEEDED,
  DROP_PACKET_TOO_BIG,
  fetchBulk,
  forgetPmtu,
  fragNeededDropped,
  said,
  startBulkServer,
} from '../../pmtu.ts';

/** A whole response takes tens of milliseconds here, a black hole forever; a transfer still
 * moving at the deadline gets more time (bulk.mjs). */
const DEADLINE_MS = 1000;

export const lab = defineLab(import.meta.url, {
  id: 'mss-clamp',
  title: "A black hole on someone else's router",
  task: "r2's team drops the ICMP that path MTU discovery needs and will not change it: make downloads through r1 and r2 complete, over IPv4 and IPv6, with r1.nft alone.",
  section: 'path-mtu-discovery-and-the-black-hole',
  files: ['r1.nft'],
  needs: ['network-namespaces', 'nftables'],
  timeoutMs: 30_000,
  startFails: `over IPv4, the ${BYTES}-byte response arrives whole`,
  check: async (t, dir) => {
    const env = await labEnv(t);
    await env.sandbox.nft(env.ns.r2, DROP_FRAG_NEEDED);
    await env.sandbox.nft(env.ns.r2, DROP_PACKET_TOO_BIG);
    await env.sandbox.nft(env.ns.r1, readFileSync(`${dir}/r1.nft`, 'utf8'));
    await startBulkServer(t, env);
    await forgetPmtu(env);
    // Independent, so at once: each stall costs the whole deadline.
    const [four, six] = await Promise.all([
      fetchBulk(env, DEADLINE_MS),
      fetchBulk(env, DEADLINE_MS, ADDR.server6),
    ]);
    t.table(
      ['the client fetches from', 'what arrived'],
      [
        [ADDR.server, said(four, DEADLINE_MS)],
        [ADDR.server6, said(six, DEADLINE_MS)],
      ],
    );
    t.show('"fragmentation needed" r2 made and dropped', await fragNeededDropped(env));
    t.check(
      `over IPv4, the ${BYTES}-byte response arrives whole although r2 drops "fragmentation needed"`,
      four.complete,
      said(four, DEADLINE_MS),
    );
    t.check(
      'over IPv6 too, although r2 drops "packet too big"',
      six.complete,
      said(six, DEADLINE_MS),
    );
  },
  hints: [
    {
      claim: `over IPv4, the ${BYTES}-byte response arrives whole`,
      ladder: [
        'The response still stalls: the server sends segments too big for the 1400-byte link between r1 and r2, and r2 will not tell it so.',
        'The size of a TCP segment is bounded by the MSS the other side announced in its SYN (RFC 9293 §3.7.1). A router on the path may lower that option as the SYN passes, so the server never sends a packet bigger than the path takes: MSS clamping (RFC 4459 §3.2).',
        "In r1's forward hook (r1 forwards the SYNs; its input hook never sees them): `tcp flags syn tcp option maxseg size set rt mtu` writes the MSS that fits the route the SYN leaves by.",
        'The MSS counts the TCP payload only: a 1400-byte link carries 1400 − 20 (IPv4 header) − 20 (TCP header) = 1360 bytes of it, not 1400.',
      ],
    },
    {
      claim: 'over IPv6 too',
      ladder: [
        'IPv4 works, IPv6 still stalls: the MSS that fits a 1400-byte link is not the same number in both families.',
        "An IPv6 header is 40 bytes, twice IPv4's 20: over IPv6 the link carries 1400 − 40 − 20 = 1340 bytes of TCP payload. A fixed 1360 is 20 bytes too many.",
        '`rt mtu` computes it per packet from the route and the family (nft(8), "RT EXPRESSION": tcpmss); in an `inet` table one rule covers both.',
      ],
    },
  ],
  wrong: [
    {
      case: 'link-mtu',
      fails: `over IPv4, the ${BYTES}-byte response arrives whole`,
      why: 'the MSS is the payload, not the packet: 1400 + 40 bytes of headers is still too big',
    },
    {
      case: 'ipv4-mss',
      fails: 'over IPv6 too',
      why: '1360 fits IPv4 only: IPv6 headers are 20 bytes longer, so its packets are 1420 bytes',
    },
  ],
});
