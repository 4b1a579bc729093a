// Transaction isolation levels, measured: Hermitage's anomaly tests run at every level on
// PostgreSQL and MariaDB, each session on its own connection, each outcome observed.

import { defineDemo } from '../kit/define.ts';
import { type Lab, openLab } from './lab.ts';
import { anomalySteps, defaultsStep, matrixStep } from './steps-matrix.ts';
import { mistakeSteps } from './steps-mistakes.ts';
import { refusalStep, retryStep, snapshotStep } from './steps-refusal.ts';

export const demo = defineDemo<Lab>({
  id: 'isolation',
  title: 'Transaction isolation levels, measured on PostgreSQL and MariaDB',
  summary:
    "Hermitage's anomaly tests (G0 … G2) run at all four levels on both engines, two or three " +
    'sessions on dedicated connections; the matrix is what the servers did, not what a table says.',
  needs: ['postgres', 'mariadb'],
  setup: () => openLab(),
  steps: [
    defaultsStep,
    ...anomalySteps,
    matrixStep,
    refusalStep,
    snapshotStep,
    retryStep,
    ...mistakeSteps,
  ],
  teardown: (lab) => lab.close(),
});
