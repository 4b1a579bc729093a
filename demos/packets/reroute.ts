// Cutting a link of a routing triangle two ways, and timing how long until a router's kernel route
// moves to the path through the third router. A carrier loss: the far end of the veth goes down,
// so the near end loses its carrier at once and both daemons hear of it from their kernel. A
// silent failure: an nft rule in the near router drops everything on the link while both ends
// stay up, as when a switch in between hangs or a firewall starts dropping; only the protocol's
// own timer (OSPF's dead interval, BGP's hold time) can notice. The time is read off `ip monitor
// route`, the kernel's own route change events. Shared by the OSPF and BGP steps.

import type { StepContext } from '../kit/define.ts';
import type { SandboxProc } from '../kit/sandbox.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, mustInNs, untag } from './env.ts';
import { loopback, type Triangle } from './triangle.ts';

/** A marker route: once the monitor prints it, the monitor is listening. */
const MARKER = '198.19.255.254';
const RETURN_TIMEOUT_MS = 20_000;

/** A kernel route line (`ip route`, `ip monitor route`): `<prefix> … via <next hop> …`. */
export function routeVia(prefix: string, via: string): RegExp {
  const dots = (s: string) => s.replace(/\./g, '\\.');
  return new RegExp(`^${dots(prefix)} .*via ${dots(via)} .*$`, 'm');
}

export const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `ip monitor route` in a namespace, once it is known to listen. */
async function monitor(env: Env, ns: string): Promise<SandboxProc> {
  const proc = env.sandbox.start('ip', ['monitor', 'route'], { netns: ns });
  // It prints nothing until a route changes, and a busy machine may run it some time after it
  // was started: flip a marker route until it reports one.
  const heard = () => (proc.stdout().includes(MARKER) ? true : undefined);
  await waitFor(
    'ip monitor route to report a change',
    async () => {
      if (heard()) return true;
      await mustInNs(env, ns, 'ip', ['route', 'replace', 'blackhole', MARKER]);
      await mustInNs(env, ns, 'ip', ['route', 'del', 'blackhole', MARKER]);
      return heard();
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  return proc;
}

/**
 * Applies `change`, then resolves once the kernel route in `ns` to `prefix` goes via `via`, with
 * the time from just before the change (so it includes starting the command) and the route line.
 */
async function timeRoute(
  env: Env,
  ns: string,
  change: () => Promise<unknown>,
  [prefix, via]: [string, string],
  timeoutMs: number,
): Promise<{ ms: number; line: string }> {
  const watch = await monitor(env, ns);
  try {
    const started = performance.now();
    await change();
    const m = await watch.waitFor(routeVia(prefix, via), timeoutMs);
    return { ms: Math.round(performance.now() - started), line: m[0].replace(/\s+/g, ' ') };
  } finally {
    watch.kill();
  }
}

/** What a step tells reconverge() about its protocol. */
export interface Failover {
  /** The protocol, as the claims name it. */
  name: string;
  /** Its dead/hold timer: what the protocol calls it, and its value here. */
  timer: string;
  timerMs: number;
  /** The daemons of the cut link's two ends (router 1, router 2): what each logged so far. */
  ends: { name: string; log(): string }[];
  /** Their log lines about losing the neighbour across the cut link. */
  lines: RegExp;
  /** What one of them must say after a carrier loss (e.g. "Interface down"), after a silence. */
  carrier: { says: string; pattern: RegExp };
  silent: { says: string; pattern: RegExp };
}

/** How long the daemons' log lines may lag the route change they caused. */
const LOG_LAG_MS = 3000;

/**
 * The lines `f.lines` picks out of what the ends logged since `marks`, once one matches
 * `pattern` (or the lag ran out: then the claim on them fails, showing what there was).
 */
async function logged(env: Env, f: Failover, marks: number[], pattern: RegExp): Promise<string[]> {
  const lines = () =>
    f.ends.flatMap((end, i) =>
      untag(env, end.log().slice(marks[i]))
        .split('\n')
        .filter((l) => f.lines.test(l))
        .map((l) => `${end.name}: ${l.replace(/^.*?\] /, '')}`),
    );
  const found = () => (lines().some((l) => pattern.test(l)) ? true : undefined);
  await waitFor('the log line', found, { timeoutMs: LOG_LAG_MS, intervalMs: 50 }).catch(() => {});
  return lines();
}

/**
 * Router 1 reaches router 2's loopback over their direct link. The link fails by carrier loss
 * (then comes back), then silently; each time router 1's kernel route must move through router 3.
 */
export async function reconverge(t: StepContext, env: Env, tri: Triangle, f: Failover) {
  const [r1, r2] = [tri.name[1], tri.name[2]];
  const [ns, dev] = [tri.ns[1], tri.dev(1, 2)];
  const direct: [string, string] = [loopback(2), tri.addr(2, 1)];
  const detour: [string, string] = [loopback(2), tri.addr(3, 1)];
  const marks = () => f.ends.map((e) => e.log().length);
  t.say(`${r1} reaches ${loopback(2)} over its link to ${r2}; now that link fails.`);

  const peerEnd = ['link', 'set', tri.dev(2, 1)];
  let mark = marks();
  const carrier = await timeRoute(
    env,
    ns,
    () => env.sandbox.ip(tri.ns[2], [...peerEnd, 'down']),
    detour,
    5000,
  );
  t.show(`carrier loss (${r2}'s end down): ${r1}'s route moved in`, secs(carrier.ms));
  t.show(`  ${r1}`, untag(env, carrier.line));
  const afterCarrier = await logged(env, f, mark, f.carrier.pattern);
  t.block(afterCarrier);
  const back = await timeRoute(
    env,
    ns,
    () => env.sandbox.ip(tri.ns[2], [...peerEnd, 'up']),
    direct,
    RETURN_TIMEOUT_MS,
  );
  t.show('the link up again: the direct route back in', secs(back.ms));

  t.waiting(`the ${f.timer} (${secs(f.timerMs)}) to notice a link that drops everything`);
  mark = marks();
  const drop = `table inet wn_cut {
  chain in { type filter hook input priority 0; iifname "${dev}" drop; }
  chain out { type filter hook output priority 0; oifname "${dev}" drop; }
}`;
  const silent = await timeRoute(env, ns, () => env.sandbox.nft(ns, drop), detour, 3 * f.timerMs);
  t.show(`silent failure (nft drops everything on the link): route moved in`, secs(silent.ms));
  const link = await env.sandbox.ip(ns, ['-o', 'link', 'show', dev]);
  const afterSilent = await logged(env, f, mark, f.silent.pattern);
  t.block(afterSilent);

  // The timer cannot run out before (timer - one hello/keepalive): a reroute in under half of it
  // did not wait for it. The order of magnitude, not a time limit: the machine may be busy.
  t.check(
    `${f.name} reacts to a carrier loss at once: the route moved in less than half the ${f.timer}, so without waiting for it`,
    carrier.ms < f.timerMs / 2,
    secs(carrier.ms),
  );
  t.check(
    `after the carrier loss a router of the link says ${f.carrier.says}`,
    afterCarrier.some((l) => f.carrier.pattern.test(l)),
    afterCarrier.join(' | '),
  );
  t.check(
    `a silent failure waits for the ${f.timer}: the route moved after half to twice the ${secs(f.timerMs)} configured`,
    silent.ms > f.timerMs / 2 && silent.ms < f.timerMs * 2,
    secs(silent.ms),
  );
  t.check(
    `after the silent failure one says ${f.silent.says}`,
    afterSilent.some((l) => f.silent.pattern.test(l)),
    afterSilent.join(' | '),
  );
  t.match(
    "meanwhile the link itself stayed up (LOWER_UP): nothing but the protocol's timer could tell",
    link,
    /LOWER_UP/,
  );
}
