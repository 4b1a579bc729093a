import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { containedStep } from './steps-contained.ts';
import { establishedStep, refusedStep, timeoutStep } from './steps-errors.ts';
import { cachingStep, lookupStep, ndotsStep } from './steps-names.ts';
import { versions } from './versions.ts';

export const demo = defineDemo({
  id: 'dns',
  title: 'Socket errors and name resolution',
  summary:
    'ECONNREFUSED, ETIMEDOUT, EADDRINUSE, ECONNRESET, EPIPE and ENOTFOUND produced for real in a ' +
    'network namespace, and names resolved by its own knot and unbound: hosts file, cache, ndots.',
  needs: ['network-namespaces', 'nftables', 'knot', 'unbound'],
  setup: openEnv,
  steps: [
    refusedStep,
    timeoutStep,
    establishedStep,
    lookupStep,
    cachingStep,
    ndotsStep,
    containedStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
