import { defineConfig } from 'vitest/config';
import { ONCE } from './services/test-scope.ts';

// Every test file runs beside one other, two at a time (this kind of machine has two cores), on
// whichever worker is free. Files that share a service are safe side by side because the demos
// are, for two runs at once: the Kafka steps hold the `kafka` lease (shared to use the cluster,
// exclusive to stop a broker), the replication steps take the pair's advisory lock, the
// databases are named per run, and the services' own tests start what they stop on a layout of
// their own. (A serial group for the shared services ran after all the other files, on one
// worker: 216 s of a 536 s suite on Node 20 with the other core idle.)
//
// `vitest run --mode per-line` leaves out the files whose outcome cannot depend on the Node line
// (services/test-scope.ts says which and why): `npm run matrix -- test` runs them on the first
// line only. The default mode runs everything.
export default defineConfig(({ mode }) => ({
  test: {
    include: ['demos/**/*.test.ts', 'services/**/*.test.ts'],
    exclude: mode === 'per-line' ? ONCE.map((s) => s.glob) : [],
    globalSetup: ['services/vitest-global-setup.ts'],
    // Service steps wait for real brokers and databases; claims, not timeouts, decide pass or fail.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './demos/kit/vitest-summary.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
}));
