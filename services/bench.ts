// `npm run bench -- services`: how long Kafka's `up` takes. Measured on an isolated 3-node cluster
// (own state folder, free ports) so the shared one on 9092-9094 keeps serving the demos; the
// shared one still runs beside it and shares the two cores, as it does during `npm test`.
//   - cold start, jars cached: empty state folder (storage formatted), 3 JVMs, all 3 in metadata
//   - restart: formatted storage kept (a second `up` after `down`)
//   - `up` when already running: the CLI as a user runs it (tsx start-up included)
//   - stop + start of one node
//   - with BENCH_FETCH=1 also the first run ever: an empty Maven repository and no jars.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Bench, median, ms, runCommand, timeIt } from '../demos/kit/bench.ts';
import { down, startNode, stopNode, up } from './api.ts';
import { isolatedLayout, scratchDir } from './isolated.ts';
import { KAFKA_VERSION, type Layout } from './layout.ts';

async function withCluster<T>(layout: Layout, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } finally {
    await down(['kafka'], { layout });
    rmSync(layout.dir, { recursive: true, force: true });
  }
}

export const bench: Bench = {
  title: `services: Kafka ${KAFKA_VERSION} \`up\` (3 combined nodes, -Xmx512m each, native)`,
  run: async (report) => {
    // Jars cached: the shared cluster's own `up` fetches them once.
    await up(['kafka'], { mode: 'native' });

    if (process.env.BENCH_FETCH === '1') {
      const m2 = scratchDir('bench-m2-');
      const layout = await isolatedLayout('bench-', join(m2, 'libs'));
      const saved = process.env.MAVEN_OPTS;
      process.env.MAVEN_OPTS = `${saved ?? ''} -Dmaven.repo.local=${join(m2, 'repository')}`;
      try {
        const t = await withCluster(layout, () =>
          timeIt(() => up(['kafka'], { layout, mode: 'native' })),
        );
        report(`first run (empty Maven repository: fetch + format + start): ${ms(t)}`);
      } finally {
        if (saved === undefined) delete process.env.MAVEN_OPTS;
        else process.env.MAVEN_OPTS = saved;
        rmSync(m2, { recursive: true, force: true });
      }
    } else {
      report('first run with the jar fetch: set BENCH_FETCH=1 (downloads ~45 MB from Maven)');
    }

    const cold: number[] = [];
    const restart: number[] = [];
    const stopStart: number[] = [];
    for (let round = 0; round < 2; round++) {
      const layout = await isolatedLayout('bench-');
      await withCluster(layout, async () => {
        cold.push(await timeIt(() => up(['kafka'], { layout, mode: 'native' })));
        stopStart.push(
          await timeIt(async () => {
            await stopNode('kafka-2', { layout });
            await startNode('kafka-2', { layout });
          }),
        );
        await down(['kafka'], { layout });
        restart.push(await timeIt(() => up(['kafka'], { layout, mode: 'native' })));
      });
    }
    const warm: number[] = [];
    for (let i = 0; i < 5; i++) {
      warm.push(
        await timeIt(() =>
          runCommand(process.execPath, ['--import', 'tsx', 'services/cli.ts', 'up', 'kafka']),
        ),
      );
    }
    const c = median(cold);
    const w = median(warm);
    report(
      `cold start, jars cached (format + 3 JVMs + all 3 in metadata): ${cold.map(ms).join(', ')} → median ${ms(c)} (target ≤ 45 s)`,
    );
    report(
      `restart with formatted storage: ${restart.map(ms).join(', ')} → median ${ms(median(restart))}`,
    );
    report(
      `stop + start kafka-2 (back in metadata): ${stopStart.map(ms).join(', ')} → median ${ms(median(stopStart))}`,
    );
    report(
      `\`npm run services -- up kafka\` when already running (CLI, 5 runs): median ${ms(w)} (target ≤ 2 s)`,
    );
    report(`cold start / already running: ${(c / w).toFixed(0)}×`);
  },
};
