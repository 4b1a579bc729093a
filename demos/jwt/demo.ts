// JWT: what a token is, how it is signed and verified, and what a verifier must refuse.

import { defineDemo } from '../kit/define.ts';
import { startJwtEnv, stopJwtEnv } from './env.ts';
import { attacks, flow, refreshTokens, registeredClaims, rotation } from './steps-flow.ts';
import { anatomy, hs256, testVector } from './steps-signing.ts';

export const demo = defineDemo({
  id: 'jwt',
  title: 'JWT: sign and verify',
  summary:
    'A JSON Web Token is a signed (not encrypted) set of claims. An auth server signs it with its ' +
    'private key; an app server verifies it with the published public key and checks every claim.',
  needs: [],
  setup: startJwtEnv,
  steps: [anatomy, hs256, flow, registeredClaims, attacks, rotation, refreshTokens, testVector],
  teardown: stopJwtEnv,
});
