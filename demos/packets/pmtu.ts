// What the pmtud step and the packets labs run the same way: the bulk server in the server's
// namespace, a fetch of its response from the client's against a deadline, the server's cached
// path MTU forgotten between cases, and the rulesets that make (and mend) the black hole.

import { join } from 'node:path';
import type { StepContext } from '../kit/define.ts';
import { demoDir } from '../kit/paths.ts';
import { ADDR, type Env, mustIn } from './env.ts';

const PORT = 8000;
export const BYTES = 2_000_000;
/** How long a fetch may take; a whole response arrives in tens of milliseconds here. */
export const DEADLINE_MS = 5000;
const BULK = join(demoDir('packets'), 'bulk.mjs');

export interface Fetched {
  bytes: number;
  complete: boolean;
  error?: string;
  ms: number;
}

/** Starts bulk.mjs in the server's namespace, on IPv6 and IPv4 (`::`), stopped when the step ends. */
export async function startBulkServer(t: StepContext, env: Env): Promise<void> {
  const server = env.sandbox.start(
    process.execPath,
    [BULK, 'serve', '::', String(PORT), String(BYTES)],
    { netns: env.ns.server },
  );
  t.defer(() => server.kill());
  await server.waitFor(/listening/);
}

/** The client fetches the server's response (at `host`); a stall ends at `deadlineMs`. */
export async function fetchBulk(
  env: Env,
  deadlineMs = DEADLINE_MS,
  host: string = ADDR.server,
): Promise<Fetched> {
  const out = await mustIn(env, 'client', process.execPath, [
    BULK,
    'fetch',
    host,
    String(PORT),
    String(deadlineMs),
  ]);
  return JSON.parse(out) as Fetched;
}

/** The server forgets the path MTU it learned, so each case starts from 1500. */
export async function forgetPmtu(env: Env): Promise<void> {
  await mustIn(env, 'server', 'ip', ['route', 'flush', 'cache']);
}

export function said(f: Fetched, deadlineMs = DEADLINE_MS): string {
  return f.complete
    ? `complete: ${f.bytes} bytes in ${f.ms} ms`
    : `stalled: ${f.bytes} of ${BYTES} bytes when the ${deadlineMs} ms deadline passed`;
}

/** r2 drops the "fragmentation needed" it generates itself (so: its output hook), counting them. */
export const DROP_FRAG_NEEDED = `table ip wn_pmtu {
  counter frag_needed { }
  chain out {
    type filter hook output priority 0;
    icmp type destination-unreachable icmp code frag-needed counter name frag_needed drop;
  }
}`;

/** The same for IPv6: r2 drops the "packet too big" it generates (RFC 8201). */
export const DROP_PACKET_TOO_BIG = `table ip6 wn_pmtu6 {
  chain out {
    type filter hook output priority 0;
    icmpv6 type packet-too-big drop;
  }
}`;

/** How many "fragmentation needed" r2 has dropped under DROP_FRAG_NEEDED. */
export async function fragNeededDropped(env: Env): Promise<number> {
  const out = await mustIn(env, 'r2', 'nft', ['list', 'counter', 'ip', 'wn_pmtu', 'frag_needed']);
  return Number(/packets (\d+)/.exec(out)?.[1] ?? Number.NaN);
}

// The router rewrites the MSS option of forwarded SYNs to fit the outgoing route's MTU.
export const CLAMP_MSS = `table inet wn_mss {
  chain clamp {
    type filter hook forward priority 0;
    tcp flags syn tcp option maxseg size set rt mtu;
  }
}`;
