// Lab: write skew (G2-item) in an on-call rota. The learner's check statement replaces the reads
// of the interleaving the note's FOR UPDATE fix is measured with (fixes.ts), run by the demo's own
// runner on MariaDB and PostgreSQL and judged by that scenario's own judge.

import { defineLab } from '../../../kit/lab.ts';
import { G2_ITEM_FOR_UPDATE } from '../../fixes.ts';
import { LAB_NEEDS, loadTransaction, runOnLabServers } from '../../lab-run.ts';
import { mechanism, rowsOf, type Scenario, valueAt } from '../../runner.ts';

/** The measured interleaving with every read replaced by the learner's check. */
function interleaving(check: string): Scenario {
  return {
    ...G2_ITEM_FOR_UPDATE,
    id: 'lab-write-skew',
    ops: G2_ITEM_FOR_UPDATE.ops.map((op) =>
      typeof op.sql === 'string' && op.sql.startsWith('SELECT') ? { ...op, sql: check } : op,
    ),
  };
}

export const lab = defineLab(import.meta.url, {
  id: 'write-skew',
  title: 'Nobody on call',
  task: 'Two doctors signed off at the same moment, each after checking the other was on call: make signoff.ts keep one on call, on MariaDB and PostgreSQL.',
  section: 'g2-item-write-skew',
  files: ['signoff.ts'],
  needs: [...LAB_NEEDS],
  startFails: 'the second sign-off decides on the first',
  check: async (t, dir) => {
    const tx = await loadTransaction<{ check: string }>(`${dir}/signoff.ts`, ['check']);
    if (typeof tx.check !== 'string') throw new Error('signoff.ts must export check as a string');
    for (const { server, run } of await runOnLabServers(t, interleaving(tx.check), tx.level)) {
      const { label } = server.engine;
      const how = mechanism(run);
      t.show(label, `${run.verdict.evidence}${how ? ` (${how})` : ''}`);
      t.check(
        `the second sign-off decides on the first on ${label} ${tx.level}: B reads row 1 as 11, or is refused`,
        !run.verdict.anomaly && (valueAt(rowsOf(run, 'b'), 1) === 11 || run.committed.B !== true),
        run.verdict.evidence,
      );
      t.check(
        `both sign-offs commit on ${label} ${tx.level}`,
        run.committed.A === true && run.committed.B === true,
        run.verdict.evidence,
      );
    }
  },
  hints: [
    {
      claim: 'the second sign-off decides on the first',
      ladder: [
        'Both doctors read "the other one is on call" (row 1 = 10) and both signed off: the rule held for each read, not for the result.',
        "No row was written twice, so no write waits for another: the conflict is between B's read and A's write. B's read has to wait for A.",
        "Lock the rows the decision depends on: `SELECT … FOR UPDATE` on both rows makes B's check wait for A's COMMIT and read 11.",
        'REPEATABLE READ does not do it: it is snapshot isolation on PostgreSQL and a snapshot for reads on MariaDB, and snapshot isolation admits write skew (Berenson et al., A5B).',
      ],
    },
    {
      claim: 'both sign-offs commit',
      ladder: [
        'One sign-off was refused: nobody is left off call, but that doctor got an error instead of an answer.',
        'SERIALIZABLE keeps the rule by refusing one of the two (PostgreSQL 40001, MariaDB 1213 deadlock). That is the right design only with a retry loop that runs the whole transaction again; this one has none.',
        'Without a retry loop, make B wait instead of fail: lock the rows you read with FOR UPDATE, at READ COMMITTED.',
      ],
    },
  ],
  wrong: [
    {
      case: 'repeatable-read',
      fails: 'the second sign-off decides on the first',
      why: 'snapshot isolation admits write skew: B reads its snapshot (10) and both commit',
    },
    {
      case: 'serializable',
      fails: 'both sign-offs commit',
      why: 'SERIALIZABLE refuses one sign-off (40001 / 1213), and this transaction has no retry loop',
    },
  ],
});
