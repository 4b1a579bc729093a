// What the serving labs share: a run of their own (openRun: a folder, the demo's Processes, dead
// runs swept), the learner's module served by Debian's uvicorn through lab_app.py, and a
// redis-server of the run's own when the lab needs one. All stopped when the check ends, also when
// the learner interrupts it.

import type { StepContext } from '../kit/define.ts';
import { closeRun, openRun } from './env.ts';
import { type Started, startFastApi, startRedis } from './servers.ts';

export async function labApp(
  t: StepContext,
  file: string,
  { redis = false } = {},
): Promise<{ api: Started; redis?: Started }> {
  const run = openRun();
  t.defer(() => closeRun(run));
  const cache = redis ? await startRedis(run.procs, run.dir) : undefined;
  const api = await startFastApi(run.procs, cache?.url ?? '', 1, {
    app: 'lab_app:app',
    env: { LAB_FILE: file },
  });
  return { api, redis: cache };
}
