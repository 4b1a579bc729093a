// The chain of namespaces for one lab check: the demo's own (env.ts), closed when the check ends.

import type { StepContext } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';

export async function labEnv(t: StepContext): Promise<Env> {
  const env = await openEnv({ available: new Set(), uses: (part, v) => t.uses(part, v) });
  t.defer(() => closeEnv(env));
  return env;
}
