// `npm run bench -- isolation`: the whole demo's wall time, run in-process, and where it goes.

import { type Bench, median, ms } from '../kit/bench.ts';
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
  },
};
