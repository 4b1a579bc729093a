// Replication on a real PostgreSQL primary and streaming standby: lag made visible with paused
// replay, read-your-writes, synchronous_commit levels, a synchronous standby that is gone,
// promotion, and CAP measured on throwaway standbys.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { asyncStep, readYourWritesStep } from './steps-async.ts';
import { capAsyncStep, capSyncStep, promoteStep, readOnlyStep } from './steps-failover.ts';
import { syncDownStep, syncLevelsStep } from './steps-sync.ts';
import { versions } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'replication',
  title: 'Replication: lag, read-your-writes, synchronous commit, CAP',
  summary:
    'A PostgreSQL primary and a streaming standby (npm run services -- up replication). Replay is ' +
    'paused to make lag deterministic; stopping, cutting off and promoting happen to throwaway ' +
    'standbys made with pg_basebackup for the step and removed after it.',
  needs: ['replication'],
  setup: openEnv,
  steps: [
    asyncStep,
    readYourWritesStep,
    syncLevelsStep,
    syncDownStep,
    readOnlyStep,
    promoteStep,
    capSyncStep,
    capAsyncStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
