// traceroute from the client to the server, as the icmp step and the icmp-firewall lab run it:
// one UDP probe per hop, and the address that answered each hop ("*" for a silent one).

import { ADDR, type Env, inNode } from './env.ts';

export async function traceroute(
  env: Env,
  waitS = 2,
): Promise<{ lines: string[]; hops: string[] }> {
  const r = await inNode(env, 'client', 'traceroute', [
    '-n',
    '-q',
    '1',
    '-w',
    String(waitS),
    ADDR.server,
  ]);
  const lines = r.stdout.trim().split('\n');
  const hops = [...r.stdout.matchAll(/^\s*\d+\s+(\S+)/gm)].map((m) => m[1] as string);
  return { lines, hops };
}
