// Lab: the lost update (P4) in a stock counter. The learner's transaction runs in the P4
// interleaving with the demo's own runner on MariaDB and PostgreSQL, judged by P4's own judge;
// the claims are the step `p4` and `for-update` ones: both increments count, both commit.

import { defineLab } from '../../../kit/lab.ts';
import { test } from '../../anomalies.ts';
import { LAB_NEEDS, loadTransaction, runOnLabServers } from '../../lab-run.ts';
import { mechanism, type Run, rowsOf, type Scenario, valueAt } from '../../runner.ts';

interface Increment {
  read: string;
  write: (value: number) => string;
}

/** P4's interleaving with the learner's statements: both read before either writes. */
function interleaving(tx: Increment): Scenario {
  const write = (label: string) => (c: Run['captures']) => {
    const read = c[label];
    return tx.write(valueAt(read?.kind === 'rows' ? read.rows : undefined, 1) ?? 0);
  };
  return {
    ...test('P4'),
    id: 'lab-lost-update',
    ops: [
      { s: 'A', sql: tx.read, as: 'a' },
      { s: 'B', sql: tx.read, as: 'b' },
      { s: 'A', sql: write('a') },
      { s: 'B', sql: write('b') },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: 'COMMIT' },
    ],
  };
}

export const lab = defineLab(import.meta.url, {
  id: 'lost-update',
  title: 'Two checkouts, one increment',
  task: 'Two checkouts at the same moment add 1 to the stock counter and it moves by 1: make increment.ts count both, on MariaDB and PostgreSQL.',
  section: 'p4-lost-update',
  files: ['increment.ts'],
  needs: [...LAB_NEEDS],
  startFails: 'both increments count',
  check: async (t, dir) => {
    const tx = await loadTransaction<Increment>(`${dir}/increment.ts`, ['read', 'write']);
    if (typeof tx.write !== 'function')
      throw new Error('increment.ts must export write as a function of the value read');
    for (const { server, run } of await runOnLabServers(t, interleaving(tx), tx.level)) {
      const { label } = server.engine;
      const how = mechanism(run);
      t.show(
        label,
        `A read ${valueAt(rowsOf(run, 'a'), 1) ?? '-'}, B read ${valueAt(rowsOf(run, 'b'), 1) ?? '-'}; ${run.verdict.evidence}${how ? ` (${how})` : ''}`,
      );
      t.check(
        `both increments count on ${label} ${tx.level}: row 1 ends 12`,
        valueAt(run.final, 1) === 12,
        run.verdict.evidence,
      );
      t.check(
        `both transactions commit on ${label} ${tx.level}`,
        run.committed.A === true && run.committed.B === true,
        run.verdict.evidence,
      );
    }
  },
  hints: [
    {
      claim: 'both increments count',
      ladder: [
        'Both transactions committed, yet the counter moved by 1 — or one of them was refused and its increment never happened.',
        'Both read 10 before either wrote, and each wrote what it computed from its own read. The second read has to see the first write: it must wait for it.',
        'Lock the row you read: `SELECT … FOR UPDATE` makes the second reader wait for the first COMMIT and then read 11. Or let the server add: `SET value = value + 1`.',
        "REPEATABLE READ does not do it: MariaDB (innodb_snapshot_isolation OFF) still loses the update, PostgreSQL refuses B with 40001 and, with no retry, B's increment is lost too.",
        'A guarded `UPDATE … WHERE value = <what I read>` that matches no row is not an error: it updates 0 rows and COMMIT succeeds. Without checking the count and retrying, it still loses the increment.',
      ],
    },
    {
      claim: 'both transactions commit',
      ladder: [
        'One checkout was refused: the counter is right, but that customer got an error.',
        'A level that refuses (40001, 1213, 1020) needs a retry loop around it; this transaction has none. Make the second one wait instead: lock what you read.',
      ],
    },
  ],
  wrong: [
    {
      case: 'repeatable-read',
      fails: 'both increments count',
      why: 'MariaDB REPEATABLE READ reads a snapshot but writes over the latest row: B writes 11 over A’s 11',
    },
    {
      case: 'guarded-update',
      fails: 'both increments count',
      why: 'the guarded UPDATE matches 0 rows, which is not an error: B commits having counted nothing',
    },
  ],
});
