import type { Bench } from '../kit/bench.ts';
import { demoVersusBareStart } from '../kit/bench-start.ts';

export const bench: Bench = {
  title: 'jwt: the whole demo vs a bare tsx start (target ≤ 1.3×)',
  run: async (report) => {
    await demoVersusBareStart('jwt', 7, report);
  },
};
