// The proof that the demo's traffic stayed where it was made: the namespace has no interface but
// `lo`, and the firewall's output counter for any other interface stayed at zero.

import { step } from '../kit/define.ts';
import { type Env, nftCounter } from './env.ts';
import { runIn } from './netns.ts';

export const containedStep = step<Env>(
  {
    id: 'contained',
    section: 'what-stayed-inside',
    title: "Every packet stayed on the namespace's loopback: no other interface, nothing left it",
  },
  async (t, env) => {
    const links = (await runIn(env.ns, 'ip', ['-o', 'link', 'show'])).stdout
      .split('\n')
      .flatMap((l) => /^\d+: ([^:@]+)/.exec(l)?.[1] ?? []);
    // /proc/net/dev is the reading process's namespace's: run inside, it counts the lab's lo.
    const dev = (await runIn(env.ns, 'cat', ['/proc/net/dev'])).stdout;
    const lo = /^\s*lo:\s*\d+\s+(\d+)/m.exec(dev)?.[1];
    const left = await nftCounter(env, 'left_lo');
    t.show('interfaces in the namespace', links.join(' '));
    t.show('packets received on its lo during the run', lo ?? '?');
    t.show('packets the output hook saw leave by any other interface', left);
    t.equal('the namespace has one interface, lo', links, ['lo']);
    t.check("the steps' traffic went over that lo", Number(lo) > 0, `lo received ${lo}`);
    t.equal('no packet tried to leave by another interface (nft counter 0)', left, 0);
  },
);
