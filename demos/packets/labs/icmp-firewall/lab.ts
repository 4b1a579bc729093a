// Lab: a router hardened to send no ICMP, and downloads through it that hang. The learner's ruleset
// is loaded into r2 of the demo's own chain (client – r1 – r2 – server, 1400 bytes between the
// routers); the claims are the pmtud step's transfer and the icmp step's traceroute, run by the
// same helpers: the big response must cross, and r2 must stay a silent hop.

import { readFileSync } from 'node:fs';
import { defineLab } from '../../../kit/lab.ts';
import { ADDR } from '../../env.ts';
import { labEnv } from '../../lab-env.ts';
import { BYTES, fetchBulk, forgetPmtu, said, startBulkServer } from '../../pmtu.ts';
import { traceroute } from '../../trace.ts';

/** A whole response takes tens of milliseconds here, a black hole forever; a transfer still
 * moving at the deadline gets more time (bulk.mjs). */
const DEADLINE_MS = 1000;

export const lab = defineLab(import.meta.url, {
  id: 'icmp-firewall',
  title: 'A router that says nothing',
  task: 'Since r2 was hardened to send no ICMP, downloads from the server hang while ping works: fix r2.nft so they complete, and r2 still never shows in a traceroute.',
  section: 'icmp-is-not-just-ping',
  files: ['r2.nft'],
  needs: ['network-namespaces', 'nftables', 'traceroute', 'ping'],
  timeoutMs: 30_000,
  startFails: `the ${BYTES}-byte response from the server crosses r2 whole`,
  check: async (t, dir) => {
    const env = await labEnv(t);
    await env.sandbox.nft(env.ns.r2, readFileSync(`${dir}/r2.nft`, 'utf8'));
    await startBulkServer(t, env);
    await forgetPmtu(env);
    // Independent, so at once: a stall and a silent hop each cost a wait.
    const [fetched, { lines, hops }] = await Promise.all([
      fetchBulk(env, DEADLINE_MS),
      traceroute(env, 1),
    ]);
    t.show('the client fetches from the server', said(fetched, DEADLINE_MS));
    t.block(lines);
    t.check(
      `the ${BYTES}-byte response from the server crosses r2 whole`,
      fetched.complete,
      said(fetched, DEADLINE_MS),
    );
    t.equal('r2 stays hidden: traceroute shows r1, then "*" for r2, then the server', hops, [
      ADDR.r1,
      '*',
      ADDR.server,
    ]);
  },
  hints: [
    {
      claim: `the ${BYTES}-byte response from the server crosses r2 whole`,
      ladder: [
        'The connection opens (small packets) but the response never arrives: its full-size packets vanish somewhere between the server and the client.',
        'The server sends 1500-byte packets with Don\'t Fragment set; r2 cannot forward them onto the 1400-byte link, so it drops each one and tells the server with an ICMP "fragmentation needed" carrying the MTU (RFC 1191). Without that message the server never shrinks them: a PMTU black hole (RFC 2923 §2.1).',
        "r2 generates that ICMP itself, so it passes r2's output hook, where the drop is. Accept `icmp type destination-unreachable icmp code frag-needed` before the drop.",
      ],
    },
    {
      claim: 'r2 stays hidden',
      ladder: [
        "The downloads work, but r2 answers traceroute again: the review's rule is broken.",
        'traceroute finds each hop by the ICMP "time exceeded" the router sends when a probe\'s TTL runs out (RFC 792). Let through only the ICMP path MTU discovery needs.',
        "`ct state related` matches every ICMP error about a tracked connection, time exceeded included (a probe's UDP flow is tracked too): it opens exactly what the review closed.",
      ],
    },
  ],
  wrong: [
    {
      case: 'allow-ping',
      fails: `the ${BYTES}-byte response from the server crosses r2 whole`,
      why: 'echo is not what was missing: "fragmentation needed" is still dropped',
    },
    {
      case: 'related',
      fails: 'r2 stays hidden',
      why: "ct state related lets every ICMP error about a tracked flow out, traceroute's time exceeded too",
    },
  ],
});
