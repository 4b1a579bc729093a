// `npm run bench -- isolation`: the whole demo's wall time, run in-process, and where it goes;
// then the cold start of the two newer servers (postgres17, mariadb114) on a scratch layout:
// fresh data (initdb / mariadb-install-db), start, first SELECT 1, and a restart on that data.

import { down, up } from '../../services/api.ts';
import { scratchDatabases } from '../../services/db-binaries.ts';
import { type Bench, median, ms, timeIt } from '../kit/bench.ts';
import { DemoSession } from '../kit/run.ts';
import { TESTS } from './anomalies.ts';
import { demo } from './demo.ts';

export const bench: Bench = {
  title: `isolation: the whole demo (${TESTS.length * 4} anomaly runs per server, refusals, snapshot, retry)`,
  run: async (report) => {
    const walls: number[] = [];
    let steps: { id: string; ms: number }[] = [];
    let claims = 0;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const result = await new DemoSession(demo).runAll();
      walls.push(performance.now() - started);
      if (!result.ok) throw new Error(`isolation demo failed in bench run ${i + 1}`);
      steps = result.steps.map((s) => ({ id: s.id, ms: s.ms }));
      claims = result.steps.reduce((n, s) => n + s.claims.length, 0);
    }
    report(`wall time: median ${ms(median(walls))} of 3 runs (${walls.map(ms).join(', ')})`);
    report(
      `${claims} claims per run; budget 30 s → ${(30_000 / median(walls)).toFixed(1)}× headroom`,
    );
    const slowest = [...steps].sort((a, b) => b.ms - a.ms).slice(0, 4);
    report(`slowest steps (last run): ${slowest.map((s) => `${s.id} ${ms(s.ms)}`).join(', ')}`);
    for (const name of ['postgres17', 'mariadb114']) {
      const { layout, restore } = await scratchDatabases('bench-db-');
      try {
        const options = { layout, mode: 'native' as const };
        const cold = await timeIt(() => up([name], options));
        await down([name], options);
        const warm = await timeIt(() => up([name], options));
        await down([name], options);
        report(
          `${name}: cold start (binaries cached, fresh data) ${ms(cold)}; restart on its data ${ms(warm)}`,
        );
      } finally {
        restore();
      }
    }
  },
};
