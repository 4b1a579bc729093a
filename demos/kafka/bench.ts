// `npm run bench -- kafka`: how long a membership change takes to be seen by the whole group —
// from starting a consumer (or calling disconnect()) until every member has its new assignment
// and the coordinator reports the group Stable. Target for a join: ≤ 2 s.

import { acquireLease } from '../../services/api.ts';
import { type Bench, median, ms } from '../kit/bench.ts';
import { probe } from '../kit/endpoints.ts';
import { ensureTopic, name } from './cluster.ts';
import { closeEnv, openEnv } from './env.ts';
import { Group } from './group.ts';

const ROUNDS = 7;

export const bench: Bench = {
  title: 'kafka: consumer-group membership changes (3 partitions, kafkajs)',
  run: async (report) => {
    const kafka = await probe('kafka');
    if (!kafka.ok) {
      report(`skipped: ${kafka.problem}`);
      return;
    }
    // Shared, so no failover of another run stops a broker in the middle of the timings.
    const lease = await acquireLease('kafka', { onWait: report });
    const env = await openEnv({ available: new Set(['kafka']), uses: () => undefined });
    const groupId = name(env, 'bench');
    env.groups.add(groupId);
    let g: Group | undefined;
    try {
      const topic = await ensureTopic(env, 'bench', { partitions: 3 });
      g = new Group(env.kafka, env.admin, groupId, topic, 3);
      for (const base of ['base-1', 'base-2']) {
        const since = g.mark();
        await g.add(base);
        await g.settle(since);
      }
      const joins: number[] = [];
      const leaves: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const started = performance.now();
        const since = g.mark();
        const extra = await g.add(`extra-${i}`);
        await g.settle(since);
        joins.push(performance.now() - started);
        const before = g.mark();
        const leaving = performance.now();
        await g.remove(extra);
        await g.settle(before);
        leaves.push(performance.now() - leaving);
      }
      const join = median(joins);
      const leave = median(leaves);
      report(
        `join (connect → all 3 members reassigned): median ${ms(join)} of ${ROUNDS}` +
          ` (${ms(Math.min(...joins))}–${ms(Math.max(...joins))}); target ≤ 2 s: ` +
          `${join <= 2000 ? 'met' : 'missed'}`,
      );
      report(
        `leave (disconnect → 2 members reassigned): median ${ms(leave)}` +
          ` (${ms(Math.min(...leaves))}–${ms(Math.max(...leaves))})`,
      );
      report(`join / leave: ${(join / leave).toFixed(1)}×`);
    } finally {
      await g?.close();
      await closeEnv(env);
      lease.release();
    }
  },
};
