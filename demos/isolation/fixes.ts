// The fix the note recommends for lost update and write skew without changing the level:
// `SELECT … FOR UPDATE` on the rows the decision depends on. The same interleavings as P4 and
// G2-item, with the reads made locking; the anomaly is a decision made on a stale read.

import type { Run, Scenario, Verdict } from './runner.ts';
import { fmtRows, rowsOf, valueAt } from './runner.ts';

const v = (anomaly: boolean, evidence: string): Verdict => ({ anomaly, evidence });
const committed = (run: Run) =>
  `A ${run.committed.A ? 'committed' : 'refused'}, B ${run.committed.B ? 'committed' : 'refused'}`;

export const P4_FOR_UPDATE: Scenario = {
  id: 'P4-for-update',
  name: 'lost update, reads FOR UPDATE',
  idea: 'P4 with SELECT … FOR UPDATE: B must read the value A wrote before computing its own.',
  sessions: ['A', 'B'],
  ops: [
    { s: 'A', sql: 'SELECT * FROM {t} WHERE id = 1 FOR UPDATE', as: 'a' },
    { s: 'B', sql: 'SELECT * FROM {t} WHERE id = 1 FOR UPDATE', as: 'b' },
    { s: 'A', sql: (c) => `UPDATE {t} SET value = ${next(c.a)} WHERE id = 1` },
    { s: 'A', sql: 'COMMIT' },
    { s: 'B', sql: (c) => `UPDATE {t} SET value = ${next(c.b)} WHERE id = 1` },
    { s: 'B', sql: 'COMMIT' },
  ],
  judge: (run) => {
    const lost = run.committed.A === true && run.committed.B === true && run.final[0]?.value === 11;
    const b = valueAt(rowsOf(run, 'b'), 1);
    return v(lost, `B read 1=>${b ?? '(refused)'}; ${committed(run)}, final ${fmtRows(run.final)}`);
  },
};

export const G2_ITEM_FOR_UPDATE: Scenario = {
  id: 'G2-item-for-update',
  name: 'write skew, reads FOR UPDATE',
  idea: "G2-item with SELECT … FOR UPDATE: B's decision must see A's write, or B is refused.",
  sessions: ['A', 'B'],
  ops: [
    { s: 'A', sql: 'SELECT * FROM {t} WHERE id IN (1, 2) FOR UPDATE' },
    { s: 'B', sql: 'SELECT * FROM {t} WHERE id IN (1, 2) FOR UPDATE', as: 'b' },
    { s: 'A', sql: 'UPDATE {t} SET value = 11 WHERE id = 1' },
    { s: 'A', sql: 'COMMIT' },
    { s: 'B', sql: 'UPDATE {t} SET value = 21 WHERE id = 2' },
    { s: 'B', sql: 'COMMIT' },
  ],
  judge: (run) => {
    // Write skew: both commit and B decided on the old row 1 (10), not on A's 11.
    const b = valueAt(rowsOf(run, 'b'), 1);
    const skew = run.committed.A === true && run.committed.B === true && b === 10;
    return v(skew, `B read 1=>${b ?? '(refused)'}; ${committed(run)}`);
  },
};

function next(out: Run['captures'][string]): number {
  return (out?.kind === 'rows' ? (valueAt(out.rows, 1) ?? 0) : 0) + 1;
}
