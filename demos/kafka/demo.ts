import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { leaderCrashStep, twoDownStep } from './steps-crash.ts';
import { assignmentStep, crashStep, idleStep, rebalanceStep } from './steps-groups.ts';
import { offsetsStep, resetStep } from './steps-offsets.ts';
import { failoverStep, minIsrStep } from './steps-replication.ts';
import { keysStep, orderingStep, topicsStep } from './steps-topics.ts';
import { versions } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'kafka',
  title: 'Kafka: partitions, consumer groups and replication',
  summary:
    'A real 3-broker KRaft cluster and kafkajs: where records go, who reads them, and what ' +
    'survives a broker going down. Topics and groups are created per run and deleted after.',
  needs: ['kafka'],
  setup: openEnv,
  steps: [
    topicsStep,
    keysStep,
    orderingStep,
    assignmentStep,
    rebalanceStep,
    idleStep,
    crashStep,
    offsetsStep,
    resetStep,
    failoverStep,
    minIsrStep,
    leaderCrashStep,
    twoDownStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
