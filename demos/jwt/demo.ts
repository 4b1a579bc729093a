// JWT: what a token is, how it is signed and verified, and what a verifier must refuse.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { claimsStep, flowStep, refreshStep } from './steps-flow.ts';
import { attacksStep, rotationStep } from './steps-keys.ts';
import { anatomyStep, ed25519Step, hs256Step, testVectorStep } from './steps-signing.ts';

export const demo = defineDemo<Env>({
  id: 'jwt',
  title: 'JWT: sign and verify',
  summary:
    'A JSON Web Token is a signed (not encrypted) set of claims. An auth server signs it with its ' +
    'private key; an app server verifies it with the published public key and checks every claim.',
  needs: [],
  setup: openEnv,
  steps: [
    anatomyStep,
    hs256Step,
    ed25519Step,
    flowStep,
    claimsStep,
    attacksStep,
    rotationStep,
    refreshStep,
    testVectorStep,
  ],
  teardown: closeEnv,
  ledger,
});
