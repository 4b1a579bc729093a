// Backups on a real PostgreSQL 15: a logical dump restored and compared, a physical base backup
// started and compared, and point-in-time recovery from archived WAL undoing a DROP TABLE; then
// incremental base backups on PostgreSQL 18, combined, verified and started.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { logicalStep, physicalStep } from './steps-copies.ts';
import { incrementalStep } from './steps-incremental.ts';
import { pitrStep } from './steps-pitr.ts';
import { incrementalFact } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'backups',
  title: 'Backups: pg_dump vs pg_basebackup, a tested restore, point-in-time recovery',
  summary:
    'A throwaway PostgreSQL 15 cluster that archives its WAL into a folder, with copies restored ' +
    'from its backups, and a PostgreSQL 18 one for incremental backups, all on free loopback ' +
    'ports and removed after the run.',
  needs: ['postgres15-binaries'],
  setup: openEnv,
  steps: [logicalStep, physicalStep, pitrStep, incrementalStep],
  teardown: closeEnv,
  ledger,
  versions: [incrementalFact],
});
