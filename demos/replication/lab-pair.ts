// What the replication labs share: the demo's own environment — the primary and standby sessions,
// the run's advisory lock on the pair (a second run waits), what a killed run left undone — open
// for one check and closed when it ends, also when the learner interrupts it.

import type { StepContext } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';

export async function labPair(t: StepContext): Promise<Env> {
  const env = await openEnv({ available: new Set(), uses: (part, v) => t.uses(part, v) });
  t.defer(() => closeEnv(env));
  return env;
}
