// What the kafka labs share: the demo's own environment (client, admin, this run's name, the
// sweep of what dead runs left) opened for one check, the brokers held shared while it runs, and
// the run's topics and groups deleted when it ends — also when the learner interrupts it.

import type { StepContext } from '../kit/define.ts';
import { useCluster } from './cluster.ts';
import { closeEnv, type Env, openEnv } from './env.ts';

export async function labCluster(t: StepContext): Promise<Env> {
  const env = await openEnv({ available: new Set(), uses: (part, v) => t.uses(part, v) });
  try {
    await useCluster(t, env, 'shared');
  } catch (err) {
    await closeEnv(env);
    throw err;
  }
  // Deferred after the lease: the topics and groups go before another run may stop a broker.
  t.defer(() => closeEnv(env));
  return env;
}
