import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import {
  g0Step,
  g1aStep,
  g1bStep,
  g1cStep,
  g2ItemStep,
  g2Step,
  gSingleStep,
  otvStep,
  p4Step,
  pmpStep,
  pmpWriteStep,
} from './steps-anomalies.ts';
import { defaultsStep, mariadbVersionsStep, postgresVersionsStep } from './steps-levels.ts';
import { lockTimeoutStep } from './steps-lock-timeout.ts';
import { matrixStep } from './steps-matrix.ts';
import { phantomsStep, rcDefaultStep, rrLocksStep } from './steps-mistakes.ts';
import { forUpdateStep, refusalsStep, retryStep, snapshotStep } from './steps-refusals.ts';
import { versions } from './versions.ts';

export const demo = defineDemo({
  id: 'isolation',
  title: 'Transaction isolation levels, measured on PostgreSQL and MariaDB',
  summary:
    "Hermitage's anomaly tests (G0 … G2) run at all four levels on every configured server " +
    '(PostgreSQL 15 and 17, MariaDB 10.11 and 11.4), two or three sessions on dedicated ' +
    'connections; the matrix is what the servers did, not what a table says.',
  needs: ['postgres', 'mariadb'],
  setup: openEnv,
  steps: [
    defaultsStep,
    g0Step,
    g1aStep,
    g1bStep,
    g1cStep,
    otvStep,
    pmpStep,
    pmpWriteStep,
    p4Step,
    gSingleStep,
    g2ItemStep,
    g2Step,
    matrixStep,
    postgresVersionsStep,
    mariadbVersionsStep,
    refusalsStep,
    lockTimeoutStep,
    snapshotStep,
    retryStep,
    forUpdateStep,
    rrLocksStep,
    phantomsStep,
    rcDefaultStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
