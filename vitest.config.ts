import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['demos/**/*.test.ts', 'services/**/*.test.ts'],
    globalSetup: ['services/vitest-global-setup.ts'],
    // Service steps wait for real brokers and databases; claims, not timeouts, decide pass or fail.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['default', './demos/kit/vitest-summary.ts'],
    pool: 'forks',
    // One file at a time: demos share one Kafka cluster and stop brokers on purpose, and the
    // machine has two cores. Unique names keep runs apart; sequencing keeps failover steps apart.
    fileParallelism: false,
  },
});
