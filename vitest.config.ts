import { defineConfig } from 'vitest/config';
import { ONCE } from './services/test-scope.ts';

// The demos that share one Kafka cluster (and stop its brokers on purpose), the shared databases
// and replication pair, and the launchers' own tests run one file at a time. Everything else
// starts its own servers on free loopback ports and runs beside them, two files at a time.
const SHARED = [
  'demos/kafka/**/*.test.ts',
  'demos/isolation/**/*.test.ts',
  'demos/replication/**/*.test.ts',
  'services/**/*.test.ts',
];

// `vitest run --mode per-line` leaves out the files whose outcome cannot depend on the Node line
// (services/test-scope.ts says which and why): `npm run matrix -- test` runs them on the first
// line only. The default mode runs everything.
export default defineConfig(({ mode }) => {
  const once = mode === 'per-line' ? ONCE.map((s) => s.glob) : [];
  return {
    test: {
      globalSetup: ['services/vitest-global-setup.ts'],
      // Service steps wait for real brokers and databases; claims, not timeouts, decide pass or fail.
      testTimeout: 120_000,
      hookTimeout: 180_000,
      reporters: ['default', './demos/kit/vitest-summary.ts'],
      pool: 'forks',
      projects: [
        {
          extends: true,
          test: {
            name: 'shared services',
            include: SHARED,
            exclude: once,
            fileParallelism: false,
          },
        },
        {
          extends: true,
          test: {
            name: 'own servers',
            include: ['demos/**/*.test.ts'],
            exclude: [...SHARED, ...once],
            maxWorkers: 2,
          },
        },
      ],
    },
  };
});
