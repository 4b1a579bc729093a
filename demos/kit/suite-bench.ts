// `npm run bench -- suite`: the whole single-Node suite, warm (services already up), timed once.
// The target is 60 s on this machine's two cores; the suite itself never asserts a time.

import { type Bench, ms, runCommand, timeIt } from './bench.ts';

export const bench: Bench = {
  title: `the whole suite on Node ${process.versions.node}, warm (target ≤ 60 s)`,
  run: async (report) => {
    const took = await timeIt(() => runCommand('npx', ['vitest', 'run']));
    report(`npx vitest run: ${ms(took)}`);
  },
};
