// B-tree indexes on a real PostgreSQL 15: the tree read page by page with pageinspect, what a
// lookup costs against a scan in buffers, composite indexes (beside PostgreSQL 18's skip scan),
// ordered ranges, index-only scans and the visibility map, and when an index does not help or costs.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { compositeStep } from './steps-composite.ts';
import { functionalStep, selectivityStep, writeCostStep } from './steps-costs.ts';
import { indexOnlyStep, orderedStep } from './steps-plans.ts';
import { lookupStep, treeStep } from './steps-tree.ts';
import { skipScanFact } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'indexes',
  title: 'B-tree indexes: the tree, lookups vs scans, composite and index-only scans, costs',
  summary:
    'A throwaway PostgreSQL 15 cluster with a million-row table (and a PostgreSQL 18 one for the ' +
    'composite step), started for the run on free loopback ports and removed after it; plans and ' +
    'buffer counts from EXPLAIN (ANALYZE, BUFFERS).',
  needs: ['postgres15-binaries'],
  setup: openEnv,
  steps: [
    treeStep,
    lookupStep,
    compositeStep,
    orderedStep,
    indexOnlyStep,
    selectivityStep,
    functionalStep,
    writeCostStep,
  ],
  teardown: closeEnv,
  ledger,
  versions: [skipScanFact],
});
