// Path MTU discovery (RFC 1191): the server sends full-size packets with DF set; r2 cannot forward
// them onto the 1400-byte link and answers "fragmentation needed" with the MTU; the server's
// kernel caches the smaller path MTU and resends. Drop that ICMP and the transfer stalls while
// ping, whose packets are small, still works. Two fixes: let the ICMP through, or clamp the MSS
// of the SYNs so no packet is ever too big.

import { join } from 'node:path';
import { step } from '../kit/define.ts';
import { demoDir } from '../kit/paths.ts';
import { ADDR, type Env, inNode, mustIn, SMALL_MTU } from './env.ts';

const PORT = 8000;
const BYTES = 2_000_000;
const DEADLINE_MS = 5000;
const BULK = join(demoDir('packets'), 'bulk.mjs');

interface Fetched {
  bytes: number;
  complete: boolean;
  error?: string;
  ms: number;
}

async function fetchBulk(env: Env): Promise<Fetched> {
  const out = await mustIn(env, 'client', process.execPath, [
    BULK,
    'fetch',
    ADDR.server,
    String(PORT),
    String(DEADLINE_MS),
  ]);
  return JSON.parse(out) as Fetched;
}

/** The server forgets the path MTU it learned, so each case starts from 1500. */
async function forgetPmtu(env: Env): Promise<void> {
  await mustIn(env, 'server', 'ip', ['route', 'flush', 'cache']);
}

const DROP_FRAG_NEEDED = `table ip wn_pmtu {
  counter frag_needed { }
  chain out {
    type filter hook output priority 0;
    icmp type destination-unreachable icmp code frag-needed counter name frag_needed drop;
  }
}`;

// The router rewrites the MSS option of forwarded SYNs to fit the outgoing route's MTU.
const CLAMP_MSS = `table inet wn_mss {
  chain clamp {
    type filter hook forward priority 0;
    tcp flags syn tcp option maxseg size set rt mtu;
  }
}`;

function said(f: Fetched): string {
  return f.complete
    ? `complete: ${f.bytes} bytes in ${f.ms} ms`
    : `stalled: ${f.bytes} of ${BYTES} bytes when the ${DEADLINE_MS} ms deadline passed`;
}

export const pmtudStep = step<Env>(
  {
    id: 'pmtud',
    section: 'path-mtu-discovery-and-the-black-hole',
    title:
      'Path MTU discovery, the black hole when "fragmentation needed" is dropped, and two fixes',
  },
  async (t, env) => {
    const server = env.sandbox.start(
      process.execPath,
      [BULK, 'serve', '0.0.0.0', String(PORT), String(BYTES)],
      { netns: env.ns.server },
    );
    t.defer(() => server.kill());
    await server.waitFor(/listening/);

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
    const dropped = await mustIn(env, 'r2', 'nft', [
      'list',
      'counter',
      'ip',
      'wn_pmtu',
      'frag_needed',
    ]);
    const drops = Number(/packets (\d+)/.exec(dropped)?.[1] ?? 0);
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
