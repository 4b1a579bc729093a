// Path MTU discovery (RFC 1191): the server sends full-size packets with DF set; r2 cannot forward
// them onto the 1400-byte link and answers "fragmentation needed" with the MTU; the server's
// kernel caches the smaller path MTU and resends. Drop that ICMP and the transfer stalls while
// ping, whose packets are small, still works. Two fixes: let the ICMP through, or clamp the MSS
// of the SYNs so no packet is ever too big.

import { step } from '../kit/define.ts';
import { ADDR, type Env, inNode, mustIn, SMALL_MTU } from './env.ts';
import {
  BYTES,
  CLAMP_MSS,
  DEADLINE_MS,
  DROP_FRAG_NEEDED,
  fetchBulk,
  forgetPmtu,
  fragNeededDropped,
  said,
  startBulkServer,
} from './pmtu.ts';

export const pmtudStep = step<Env>(
  {
    id: 'pmtud',
    section: 'path-mtu-discovery-and-the-black-hole',
    title:
      'Path MTU discovery, the black hole when "fragmentation needed" is dropped, and two fixes',
  },
  async (t, env) => {
    await startBulkServer(t, env);

    await forgetPmtu(env);
    const open = await fetchBulk(env);
    const cached = await mustIn(env, 'server', 'ip', ['route', 'get', ADDR.client]);
    t.show('nothing filtered', said(open));
    t.show(`server: ip route get ${ADDR.client}`, cached.trim().replace(/\s+/g, ' '));
    t.check(
      `with ICMP allowed the ${BYTES}-byte response arrives whole`,
      open.complete,
      said(open),
    );
    t.match(
      `the server learned the path MTU from r2's "fragmentation needed": its route cache says mtu ${SMALL_MTU}`,
      cached,
      new RegExp(`mtu ${SMALL_MTU}\\b`),
    );

    await forgetPmtu(env);
    await env.sandbox.nft(env.ns.r2, DROP_FRAG_NEEDED);
    t.waiting(`up to ${DEADLINE_MS} ms for a response whose big packets vanish at r2`);
    const hole = await fetchBulk(env);
    const drops = await fragNeededDropped(env);
    const ping = await inNode(env, 'client', 'ping', [
      '-n',
      '-c',
      '2',
      '-i',
      '0.2',
      '-W',
      '2',
      ADDR.server,
    ]);
    const pinged = /(\d+) received/.exec(ping.stdout)?.[1];
    t.show('r2 drops its own "fragmentation needed" (nft output hook)', said(hole));
    t.show('frag-needed messages r2 generated and dropped', drops);
    t.show(`ping ${ADDR.server} meanwhile`, `${pinged} of 2 replies`);
    t.check(
      'with "fragmentation needed" dropped the transfer stalls: a black hole',
      !hole.complete && hole.bytes < BYTES,
      said(hole),
    );
    t.check(
      'r2 did generate those ICMP errors: its counter shows them dropped',
      drops > 0,
      `${drops}`,
    );
    t.equal('while ping, whose packets are small, still works', pinged, '2');

    await forgetPmtu(env);
    await env.sandbox.nft(env.ns.r1, CLAMP_MSS);
    await env.sandbox.nft(env.ns.r2, CLAMP_MSS);
    const clamped = await fetchBulk(env);
    t.show("the drop stays; r1 and r2 clamp the SYNs' MSS to the route MTU", said(clamped));
    t.check(
      'MSS clamping fixes it without the ICMP: no segment is ever bigger than the 1400-byte link',
      clamped.complete,
      said(clamped),
    );
    for (const r of ['r1', 'r2'] as const) {
      await env.sandbox.nft(env.ns[r], 'delete table inet wn_mss');
    }
    await env.sandbox.nft(env.ns.r2, 'delete table ip wn_pmtu');
    await forgetPmtu(env);
    const fixed = await fetchBulk(env);
    t.show('the ICMP allowed again, no clamping', said(fixed));
    t.check('allowing the ICMP again fixes it too', fixed.complete, said(fixed));
  },
);
