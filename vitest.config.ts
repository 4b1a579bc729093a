import { defineConfig } from 'vitest/config';

// The demos that share one Kafka cluster (and stop its brokers on purpose), the shared databases
// and replication pair, and the launchers' own tests run one file at a time. Everything else
// starts its own servers on free loopback ports and runs beside them, two files at a time.
const SHARED = [
  'demos/kafka/**/*.test.ts',
  'demos/isolation/**/*.test.ts',
  'demos/replication/**/*.test.ts',
  'services/**/*.test.ts',
];

export default defineConfig({
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
        test: { name: 'shared services', include: SHARED, fileParallelism: false },
      },
      {
        extends: true,
        test: {
          name: 'own servers',
          include: ['demos/**/*.test.ts'],
          exclude: SHARED,
          maxWorkers: 2,
        },
      },
    ],
  },
});
