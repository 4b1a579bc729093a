// The proof that the chain is closed: each namespace holds lo and its own veth ends, and no
// interface of the run exists in the host's namespace, so no packet had a way out.

import { step } from '../kit/define.ts';
import { runCommand } from '../kit/sandbox.ts';
import { type Env, mustIn, type Node } from './env.ts';

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
    const nodes: Node[] = ['client', 'r1', 'r2', 'server'];
    const rows: string[][] = [];
    const expected = new Map<Node, string[]>();
    for (const [key, dev] of Object.entries(env.dev)) {
      const node = key.split('>')[0] as Node;
      expected.set(node, [...(expected.get(node) ?? []), dev]);
    }
    let inside = true;
    for (const n of nodes) {
      const links = linkNames(await mustIn(env, n, 'ip', ['-o', 'link', 'show']));
      // The run's tag differs per run: the table shows what follows it.
      rows.push([n, links.map((l) => l.replace(env.sandbox.tag, '…')).join(' ')]);
      const want = ['lo', ...(expected.get(n) ?? [])].sort();
      if (JSON.stringify([...links].sort()) !== JSON.stringify(want)) inside = false;
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
  },
);
