// `npm run bench -- replication`: the service's cold start and restart (on a pair of its own:
// scratch state, free ports), what a synchronous standby costs per commit on that pair (PACELC's
// "else latency"), and the whole demo's wall time.

import { down, up } from '../../services/api.ts';
import {
  replicationLayout,
  STANDBY_NAME,
  scratchReplication,
} from '../../services/replication-native.ts';
import { type Bench, median, ms, timeIt } from '../kit/bench.ts';
import { DemoSession } from '../kit/run.ts';
import { demo } from './demo.ts';
import { connect } from './pg.ts';

const COMMITS = 200;

/** Median commit time at each synchronous_commit level, `COMMITS` one-row commits each. */
async function commitLatency(primaryUrl: string): Promise<Record<string, number>> {
  const c = await connect(primaryUrl, 'bench');
  try {
    await c.query(`ALTER SYSTEM SET synchronous_standby_names = '${STANDBY_NAME}'`);
    await c.query('SELECT pg_reload_conf()');
    await c.query('CREATE TABLE IF NOT EXISTS bench (id serial PRIMARY KEY)');
    // Levels take turns commit by commit, so drift in the disk's flush time hits all alike.
    const levels = ['off', 'local', 'on', 'remote_apply'];
    const samples: number[][] = levels.map(() => []);
    for (let i = 0; i < COMMITS; i++) {
      for (const [j, level] of levels.entries()) {
        await c.query(`SET synchronous_commit = ${level}`);
        samples[j]?.push(await timeIt(() => c.query('INSERT INTO bench DEFAULT VALUES')));
      }
    }
    const out = Object.fromEntries(levels.map((l, j) => [l, median(samples[j] ?? [])]));
    return out;
  } finally {
    await c.end();
  }
}

export const bench: Bench = {
  title: 'replication: the PostgreSQL 15 pair (native), commit latency by level, the demo',
  run: async (report) => {
    const { layout, restore } = await scratchReplication('bench-replication-');
    try {
      const cold = await timeIt(() => up(['replication'], { layout, mode: 'native' }));
      report(`cold start (initdb, primary, pg_basebackup, standby streaming): ${ms(cold)}`);
      const latency = await commitLatency(replicationLayout().primary.url);
      report(
        `median commit, standby synchronous (${COMMITS} each): ${Object.entries(latency)
          .map(([level, t]) => `${level} ${t.toFixed(2)} ms`)
          .join(', ')}`,
      );
      await down(['replication'], { layout });
      const warm = await timeIt(() => up(['replication'], { layout, mode: 'native' }));
      report(`restart after down (data kept): ${ms(warm)}`);
    } finally {
      await down(['replication'], { layout }).catch(() => undefined);
      restore();
    }
    const result = await new DemoSession(demo).runAll();
    if (!result.ok) throw new Error('the replication demo failed in the bench run');
    const total = result.steps.reduce((n, x) => n + x.ms, 0);
    const slowest = [...result.steps].sort((a, b) => b.ms - a.ms).slice(0, 3);
    report(
      `the demo: ${ms(total)} over ${result.steps.length} steps; slowest ${slowest.map((x) => `${x.id} ${ms(x.ms)}`).join(', ')}`,
    );
  },
};
