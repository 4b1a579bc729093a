// Load balancing, measured at real balancers: nginx and HAProxy in front of backends that answer
// with their own id.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import {
  activeHealthStep,
  passiveHealthStep,
  retriesStep,
  retryTriesStep,
} from './steps-failure.ts';
import { consistentHashStep, ipHashStep, nginxStickyStep, stickyCookieStep } from './steps-hash.ts';
import { leastConnStep, roundRobinStep, workersMaxFailsStep, workersStep } from './steps-spread.ts';
import { haproxyReuseStep, keepaliveStep } from './steps-upstream.ts';
import { versions } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'balancing',
  title: 'Load balancing, measured at nginx and HAProxy',
  summary:
    'Round robin, weights, least connections, IP and consistent hashing, sticky cookies, health ' +
    'checks, retries and upstream keep-alive, each counted at real nginx and HAProxy instances.',
  needs: ['nginx-binary', 'haproxy'],
  setup: openEnv,
  steps: [
    roundRobinStep,
    workersStep,
    workersMaxFailsStep,
    leastConnStep,
    ipHashStep,
    consistentHashStep,
    stickyCookieStep,
    nginxStickyStep,
    passiveHealthStep,
    activeHealthStep,
    retriesStep,
    retryTriesStep,
    keepaliveStep,
    haproxyReuseStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
