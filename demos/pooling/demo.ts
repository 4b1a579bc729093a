// Connection pooling on a real PostgreSQL 15 and PgBouncer: the server's connection limit, the
// same crowd through PgBouncer, what transaction pooling breaks, the three modes, an
// application-side pool, and why a read/write split is the application's job.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { modesStep, pooledStep, queueTimeoutStep } from './steps-bouncer.ts';
import { appPoolStep, tooManyStep } from './steps-limits.ts';
import { advisoryStep, listenStep, preparedStep, sessionStateStep } from './steps-pitfalls.ts';
import { splitStep } from './steps-split.ts';
import { preparedFact, reservedMessageFact } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'pooling',
  title: 'Connection pooling: max_connections, PgBouncer, pool modes and their pitfalls',
  summary:
    'A throwaway PostgreSQL 15 cluster with max_connections = 20 and a PgBouncer in front of it, ' +
    'both started for the run on free loopback ports and removed after it.',
  needs: ['postgres15-binaries', 'pgbouncer'],
  setup: openEnv,
  steps: [
    tooManyStep,
    appPoolStep,
    pooledStep,
    queueTimeoutStep,
    modesStep,
    sessionStateStep,
    advisoryStep,
    listenStep,
    preparedStep,
    splitStep,
  ],
  teardown: closeEnv,
  ledger,
  versions: [reservedMessageFact, preparedFact],
});
