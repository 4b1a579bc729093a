// The proof that the run stayed inside: each namespace (the chain's, the routing triangles') holds
// lo and its own veth ends, and no interface of the run exists in the host's namespace, so no
// packet had a way out; and the FRR daemons left no file in the host's folders.

import { step } from '../kit/define.ts';
import { runCommand } from '../kit/sandbox.ts';
import { type Env, type Node, untag } from './env.ts';
import { hostWrites } from './frr.ts';

const linkNames = (text: string) =>
  text.split('\n').flatMap((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? []);

export const containedStep = step<Env>(
  {
    id: 'contained',
    section: 'what-stayed-inside',
    title:
      'The chain is closed: every interface of the run is inside its namespaces, none in the host',
  },
  async (t, env) => {
    // The chain's four nodes, then what later steps added (the routing triangles).
    const spaces = (['client', 'r1', 'r2', 'server'] as Node[]).map((n) => ({
      name: n as string,
      ns: env.ns[n],
      devs: Object.entries(env.dev)
        .filter(([key]) => key.split('>')[0] === n)
        .map(([, dev]) => dev),
    }));
    spaces.push(...env.more);
    const rows: string[][] = [];
    let inside = true;
    for (const s of spaces) {
      const links = linkNames(await env.sandbox.ip(s.ns, ['-o', 'link', 'show']));
      // The run's tag differs per run: the table shows what follows it.
      rows.push([s.name, untag(env, links.join(' '))]);
      if (JSON.stringify([...links].sort()) !== JSON.stringify(['lo', ...s.devs].sort()))
        inside = false;
    }
    t.table(['namespace', 'interfaces'], rows);
    const host = linkNames((await runCommand('ip', ['-o', 'link', 'show'])).stdout);
    const ours = host.filter((name) => name.startsWith(env.sandbox.tag));
    t.check(
      'each namespace holds lo and its own veth ends, nothing else',
      inside,
      JSON.stringify(rows),
    );
    t.equal(
      "the host's namespace has no interface of this run: nothing connects the chain to it",
      ours,
      [],
    );
    t.equal(
      "the routers wrote nothing to the host's /run/frr or /var/tmp/frr: each daemon saw a tmpfs of its own there",
      hostWrites(env.started),
      [],
    );
  },
);
