// The brokers are shared by every run on this machine, and two steps stop one. Each step holds
// the `kafka` lease (services/lease.ts) while it runs: shared to use the brokers, exclusive to stop
// one, so no run pulls a broker from under another's consumer group. Between steps a run holds
// nothing, so an exclusive step never waits on its own run's shared lease.

import { acquireLease } from '../../services/api.ts';
import type { StepContext } from '../kit/define.ts';

export type LeaseMode = 'shared' | 'exclusive';

/**
 * Holds the lease in `mode` until the step ends. The release is deferred first, so it runs after
 * every cleanup the step registers later: a stopped broker is started again before another run
 * may use the cluster.
 */
export async function holdBrokers(t: StepContext, mode: LeaseMode): Promise<void> {
  const lease = await acquireLease('kafka', {
    exclusive: mode === 'exclusive',
    onWait: (line) => t.waiting(line),
  });
  t.defer(() => lease.release());
}
