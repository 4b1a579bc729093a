// What the steps share: four network namespaces chained by veth pairs, client – r1 – r2 – server,
// made by the kit's sandbox. r1 and r2 forward (IPv4 and IPv6) with static routes; the r1–r2 link
// has MTU 1400 on both ends, the others 1500, so a full-size packet from the server must be cut
// down on the way: the path MTU is smaller than either endpoint's link (an endpoint on the small
// link would simply advertise a smaller MSS). Addresses are 198.18.0.0/15 (RFC 2544) and
// 2001:db8::/32 (RFC 3849); nothing is connected to the host, so no packet can leave.

import type { SetupInfo } from '../kit/define.ts';
import { runName } from '../kit/names.ts';
import { openSandbox, type Ran, type Sandbox, sweepSandboxes } from '../kit/sandbox.ts';
import { waitFor } from '../kit/wait.ts';

export const SMALL_MTU = 1400;

export type Node = 'client' | 'r1' | 'r2' | 'server';

/** Each link: its two ends, its IPv4 /24 and IPv6 /64 (the left end is .1/::1, the right .2/::2). */
const LINKS = [
  { left: 'client', right: 'r1', v4: '198.18.1', v6: '2001:db8:1', mtu: 1500 },
  { left: 'r1', right: 'r2', v4: '198.18.2', v6: '2001:db8:2', mtu: SMALL_MTU },
  { left: 'r2', right: 'server', v4: '198.18.3', v6: '2001:db8:3', mtu: 1500 },
] as const;

/** The addresses the steps use by name. */
export const ADDR = {
  client: '198.18.1.1',
  r1: '198.18.1.2',
  r1Right: '198.18.2.1',
  r2: '198.18.2.2',
  r2Right: '198.18.3.1',
  server: '198.18.3.2',
  server6: '2001:db8:3::2',
} as const;

export interface Env {
  sandbox: Sandbox;
  /** The namespace of each node. */
  ns: Record<Node, string>;
  /** The interface names, by node, towards the neighbour named. */
  dev: Record<string, string>;
  /** Namespaces a step added (the routing steps' routers), each with its veth ends. */
  more: { name: string; ns: string; devs: string[] }[];
  /** When the run began (ms since the epoch), to tell what it wrote from what was there. */
  started: number;
  swept: string[];
}

/** Runs a command in a node's namespace to its end. */
export function inNode(env: Env, node: Node, command: string, args: string[]): Promise<Ran> {
  return env.sandbox.run(command, args, { netns: env.ns[node] });
}

/** A command in a node's namespace that must succeed; returns its stdout. */
export function mustIn(env: Env, node: Node, command: string, args: string[]) {
  return mustInNs(env, env.ns[node], command, args, node);
}

/** The same in any namespace of the run (a routing step's router). */
export async function mustInNs(env: Env, ns: string, command: string, args: string[], label = ns) {
  const r = await env.sandbox.run(command, args, { netns: ns });
  if (r.code !== 0) throw new Error(`${label}: ${command} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Text with the run's tag (in interface names) shortened to …: the same lines every run. */
export function untag(env: Env, text: string): string {
  return text.replaceAll(env.sandbox.tag, '…');
}

/** A sysctl in a node's namespace (net.* are per namespace). */
async function sysctl(env: Env, node: Node, key: string, value: string | number) {
  await mustIn(env, node, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

/**
 * A counter of the node's namespace as nstat names it: /proc/net/snmp6 lines are "Ip6InAddrErrors
 * 2"; /proc/net/snmp has a line of names ("Icmp: InMsgs …") over a line of values, so its
 * counters are named by the prefix and the field ("IcmpOutTimeExcds").
 */
export async function snmp(env: Env, node: Node, name: string): Promise<number> {
  const text = await mustIn(env, node, 'cat', ['/proc/net/snmp', '/proc/net/snmp6']);
  const six = new RegExp(`^${name}\\s+(\\d+)$`, 'm').exec(text);
  if (six) return Number(six[1]);
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 1) {
    const names = lines[i]?.trim().split(/\s+/) ?? [];
    const values = lines[i + 1]?.trim().split(/\s+/) ?? [];
    const prefix = names[0]?.replace(/:$/, '') ?? '';
    if (names[0] !== values[0] || !name.startsWith(prefix)) continue;
    const at = names.indexOf(name.slice(prefix.length));
    if (at > 0) return Number(values[at]);
  }
  throw new Error(`no counter ${name} in ${node}'s /proc/net/snmp`);
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepSandboxes();
  const sandbox = openSandbox(runName('packets'));
  try {
    const nodes: Node[] = ['client', 'r1', 'r2', 'server'];
    const ns = {} as Record<Node, string>;
    for (const n of nodes) ns[n] = await sandbox.netns();
    const env: Env = { sandbox, ns, dev: {}, more: [], started: Date.now(), swept };
    for (const n of nodes) await sandbox.ip(ns[n], ['link', 'set', 'lo', 'up']);
    for (const link of LINKS) {
      const [a, b] = await sandbox.veth(ns[link.left], ns[link.right]);
      env.dev[`${link.left}>${link.right}`] = a;
      env.dev[`${link.right}>${link.left}`] = b;
      for (const [dev, node, host] of [
        [a, link.left, 1],
        [b, link.right, 2],
      ] as const) {
        await sandbox.ip(ns[node], ['link', 'set', dev, 'mtu', String(link.mtu), 'up']);
        await sandbox.ip(ns[node], ['addr', 'add', `${link.v4}.${host}/24`, 'dev', dev]);
        // nodad: the address is usable at once, not after duplicate address detection.
        await sandbox.ip(ns[node], ['addr', 'add', `${link.v6}::${host}/64`, 'dev', dev, 'nodad']);
      }
    }
    // Each link's fe80:: address comes up tentative (duplicate address detection, about 1 s):
    // until it is valid a router has no link-local source for neighbor discovery, and the first
    // IPv6 connection across the chain waited that second (a lab's 1 s deadline failed on it).
    await waitFor('IPv6 duplicate address detection on every link of the chain', async () => {
      for (const n of nodes) {
        if ((await mustIn(env, n, 'ip', ['-6', 'addr', 'show', 'tentative'])).trim())
          return undefined;
      }
      return true;
    });
    for (const r of ['r1', 'r2'] as const) {
      await sysctl(env, r, 'net.ipv4.ip_forward', 1);
      await sysctl(env, r, 'net.ipv6.conf.all.forwarding', 1);
    }
    const route = (node: Node, to: string, via: string) =>
      sandbox.ip(ns[node], ['route', 'add', to, 'via', via]);
    await route('client', 'default', '198.18.1.2');
    await route('client', '::/0', '2001:db8:1::2');
    await route('r1', '198.18.3.0/24', '198.18.2.2');
    await route('r1', '2001:db8:3::/64', '2001:db8:2::2');
    await route('r2', '198.18.1.0/24', '198.18.2.1');
    await route('r2', '2001:db8:1::/64', '2001:db8:2::1');
    await route('server', 'default', '198.18.3.1');
    await route('server', '::/0', '2001:db8:3::1');
    info.uses('linux', (await mustIn(env, 'client', 'uname', ['-r'])).trim());
    const nft = /v(\S+)/.exec(await mustIn(env, 'client', 'nft', ['--version']))?.[1];
    info.uses('nftables', nft ?? '?');
    return env;
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  await env.sandbox.close();
}
