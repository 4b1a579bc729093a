// CORS, shown twice: on the wire (what a browser sends and what the server answers, made with
// undici, which itself enforces nothing) and in headless Chromium, where a page on origin A calls
// an API on origin B that records every request it receives.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { maxAgeStep, preflightStep, simpleStep } from './steps-preflight.ts';
import { credentialsStep, exposeStep, holesStep, varyStep } from './steps-sharing.ts';
import { crossOriginStep, mixedContentStep, wireStep } from './steps-wire.ts';
import { versions } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'cors',
  title: 'CORS: preflights, proven in a real browser',
  summary:
    'What a browser sends across origins and what the server must answer, then the same cases ' +
    'in headless Chromium against a server that records every request it receives.',
  needs: [],
  setup: openEnv,
  steps: [
    wireStep,
    crossOriginStep,
    mixedContentStep,
    simpleStep,
    preflightStep,
    maxAgeStep,
    credentialsStep,
    exposeStep,
    varyStep,
    holesStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
