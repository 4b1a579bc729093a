// Three routers in a triangle, each in a namespace of the run, for the routing steps: a direct link
// between every two of them, so when one link fails there is another path (through the third
// router). Router n has the loopback 198.18.100.n/32 (what the protocols advertise); the link
// between routers i < j is 198.18.<ij>.0/24, with .1 on i and .2 on j. Nothing else is connected
// to them: no packet can leave. The namespaces are registered with the env, so the `contained`
// step checks them too.

import { type Env, mustInNs } from './env.ts';

export type Corner = 1 | 2 | 3;
export const CORNERS: Corner[] = [1, 2, 3];

export interface Triangle {
  /** The router names, e.g. o1 o2 o3 (by corner). */
  name: Record<Corner, string>;
  ns: Record<Corner, string>;
  /** The interface on `from` towards `to`. */
  dev(from: Corner, to: Corner): string;
  /** The address of `of` on its link with `peer`. */
  addr(of: Corner, peer: Corner): string;
}

/** The loopback of router n: what each protocol advertises and the steps route to. */
export const loopback = (n: Corner) => `198.18.100.${n}`;

const pairs: [Corner, Corner][] = [
  [1, 2],
  [1, 3],
  [2, 3],
];

/** Builds the triangle in env's sandbox; `prefix` names the routers (o → o1, o2, o3). */
export async function triangle(env: Env, prefix: string): Promise<Triangle> {
  const { sandbox } = env;
  const name = {} as Record<Corner, string>;
  const ns = {} as Record<Corner, string>;
  const devs = new Map<string, string>();
  for (const n of CORNERS) {
    name[n] = `${prefix}${n}`;
    ns[n] = await sandbox.netns();
    await sandbox.ip(ns[n], ['link', 'set', 'lo', 'up']);
    await sandbox.ip(ns[n], ['addr', 'add', `${loopback(n)}/32`, 'dev', 'lo']);
  }
  for (const [i, j] of pairs) {
    const [a, b] = await sandbox.veth(ns[i], ns[j]);
    devs.set(`${i}>${j}`, a);
    devs.set(`${j}>${i}`, b);
    for (const [dev, n, host] of [
      [a, i, 1],
      [b, j, 2],
    ] as const) {
      await sandbox.ip(ns[n], ['addr', 'add', `198.18.${i}${j}.${host}/24`, 'dev', dev]);
      await sandbox.ip(ns[n], ['link', 'set', dev, 'up']);
    }
  }
  // Each forwards for the others (a path through the third router is the point of a triangle).
  for (const n of CORNERS)
    await mustInNs(env, ns[n], 'sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1']);
  const dev = (from: Corner, to: Corner) => {
    const d = devs.get(`${from}>${to}`);
    if (!d) throw new Error(`no link ${from}–${to}`);
    return d;
  };
  for (const n of CORNERS)
    env.more.push({
      name: name[n],
      ns: ns[n],
      devs: CORNERS.filter((m) => m !== n).map((m) => dev(n, m)),
    });
  return {
    name,
    ns,
    dev,
    addr: (of, peer) => `198.18.${Math.min(of, peer)}${Math.max(of, peer)}.${of < peer ? 1 : 2}`,
  };
}
