import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { cacheAsideStep, stampedeStep } from './steps-cache.ts';
import { breakerStep, rateLimitStep } from './steps-guard.ts';
import { fastapiLoopStep, nodeLoopStep } from './steps-loop.ts';
import { littlesLawStep, metricsStep } from './steps-metrics.ts';
import { poolStep } from './steps-pool.ts';
import { workersStep } from './steps-workers.ts';
import { versions } from './versions.ts';

export const demo = defineDemo({
  id: 'serving',
  title: 'Serving many requests: event loops, thread pools, caches, limits, breakers, metrics',
  summary:
    "A FastAPI app under Debian's uvicorn, a Node app, a Redis and a Prometheus of the run's own, " +
    'on loopback: who runs a handler, what a cache stampede costs, what 429 and a breaker do, ' +
    'and what a p99 and Little\'s law say about "10K requests per second".',
  needs: ['fastapi', 'redis-server'],
  setup: openEnv,
  steps: [
    fastapiLoopStep,
    nodeLoopStep,
    workersStep,
    poolStep,
    cacheAsideStep,
    stampedeStep,
    rateLimitStep,
    breakerStep,
    littlesLawStep,
    metricsStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
