// The anomaly interleavings, written once as data (after Hermitage's tests), each with the
// rule that decides from the observed results whether the anomaly happened. Every test starts
// from the rows (1, 10), (2, 20) in a fresh copy of the table.

import type { Run, Scenario, Verdict } from './runner.ts';
import { fmtRows, rowsOf, valueAt } from './runner.ts';

const all = 'SELECT * FROM {t} ORDER BY id';
const byId = (id: number) => `SELECT * FROM {t} WHERE id = ${id}`;
const set = (id: number, v: number) => `UPDATE {t} SET value = ${v} WHERE id = ${id}`;
const final = (run: Run) => `final ${fmtRows(run.final)}`;
const both = (run: Run) => run.committed.A === true && run.committed.B === true;
const v = (anomaly: boolean, evidence: string): Verdict => ({ anomaly, evidence });

export const SCENARIOS: Scenario[] = [
  {
    id: 'G0',
    name: 'dirty write',
    idea: 'A and B both write rows 1 and 2; the final rows must come from one of them.',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: set(1, 11) },
      { s: 'B', sql: set(1, 12) },
      { s: 'A', sql: set(2, 21) },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: set(2, 22) },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const [x, y] = [valueAt(run.final, 1), valueAt(run.final, 2)];
      const mixed = !((x === 11 && y === 21) || (x === 12 && y === 22));
      return v(mixed, `${final(run)}${mixed ? ' mixes A and B' : ''}`);
    },
  },
  {
    id: 'G1a',
    name: 'aborted read',
    idea: 'A writes 101 and rolls back; B must never see 101.',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: set(1, 101) },
      { s: 'B', sql: all, as: 'b1' },
      { s: 'A', sql: 'ROLLBACK' },
      { s: 'B', sql: all, as: 'b2' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const seen = valueAt(rowsOf(run, 'b1'), 1);
      return v(seen === 101, `B's read during A returned 1=>${seen ?? '?'}`);
    },
  },
  {
    id: 'G1b',
    name: 'intermediate read',
    idea: 'A writes 101 then 11 and commits; B must never see the intermediate 101.',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: set(1, 101) },
      { s: 'B', sql: all, as: 'b1' },
      { s: 'A', sql: set(1, 11) },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: all, as: 'b2' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const seen = valueAt(rowsOf(run, 'b1'), 1);
      return v(seen === 101, `B's first read returned 1=>${seen ?? '?'}`);
    },
  },
  {
    id: 'G1c',
    name: 'circular information flow',
    idea: "A and B each write a row and read the other's; each must not see the other's write.",
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: set(1, 11) },
      { s: 'B', sql: set(2, 22) },
      { s: 'A', sql: byId(2), as: 'a' },
      { s: 'B', sql: byId(1), as: 'b' },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const a = valueAt(rowsOf(run, 'a'), 2);
      const b = valueAt(rowsOf(run, 'b'), 1);
      return v(a === 22 && b === 11, `A read 2=>${a ?? '?'}, B read 1=>${b ?? '?'}`);
    },
  },
  {
    id: 'OTV',
    name: 'observed transaction vanishes',
    idea: "C sees A's committed row 1, then must not find A's row 2 replaced by B's uncommitted one.",
    sessions: ['A', 'B', 'C'],
    ops: [
      { s: 'A', sql: set(1, 11) },
      { s: 'A', sql: set(2, 19) },
      { s: 'A', sql: 'COMMIT' },
      { s: 'C', sql: byId(1), as: 'c1' },
      { s: 'B', sql: set(1, 12) },
      { s: 'B', sql: set(2, 18) },
      { s: 'C', sql: byId(2), as: 'c2' },
      { s: 'B', sql: 'COMMIT' },
      { s: 'C', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const c1 = valueAt(rowsOf(run, 'c1'), 1);
      const c2 = valueAt(rowsOf(run, 'c2'), 2);
      return v(c1 === 11 && c2 === 18, `C read 1=>${c1 ?? '?'} then 2=>${c2 ?? '?'}`);
    },
  },
  {
    id: 'PMP',
    name: 'phantom (read predicate)',
    idea: "A reads WHERE value % 3 = 0 twice; B's committed insert of 30 must not appear.",
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: 'SELECT * FROM {t} WHERE value % 3 = 0', as: 'a1' },
      { s: 'B', sql: 'INSERT INTO {t} (id, value) VALUES (3, 30)' },
      { s: 'B', sql: 'COMMIT' },
      { s: 'A', sql: 'SELECT * FROM {t} WHERE value % 3 = 0', as: 'a2' },
      { s: 'A', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const [a1, a2] = [rowsOf(run, 'a1'), rowsOf(run, 'a2')];
      const grew = (a2?.length ?? 0) > (a1?.length ?? 0);
      return v(grew, `A read ${fmtRows(a1)}, then ${fmtRows(a2)}`);
    },
  },
  {
    id: 'PMP-write',
    name: 'phantom (write predicate)',
    idea: 'A adds 10 to every row while B deletes WHERE value = 20; B must not still see a 20.',
    sessions: ['A', 'B'],
    ops: [
      { s: 'B', sql: all },
      { s: 'A', sql: 'UPDATE {t} SET value = value + 10' },
      { s: 'B', sql: 'DELETE FROM {t} WHERE value = 20', as: 'del' },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: all, as: 'b' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      // After DELETE ... WHERE value = 20, B must not see a row with value 20 in its own view.
      const b = rowsOf(run, 'b');
      const view = b ? fmtRows(b) : undefined;
      const anomaly = run.committed.B === true && (b ?? []).some((r) => r.value === 20);
      return v(anomaly, `B then read ${view ?? '(failed)'}; ${final(run)}`);
    },
  },
  {
    id: 'P4',
    name: 'lost update',
    idea: 'A and B read 10 and each writes read + 1 (computed by the client); 11 loses one.',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: byId(1), as: 'a' },
      { s: 'B', sql: byId(1), as: 'b' },
      { s: 'A', sql: (c) => set(1, (valueAt(rowsOfOut(c.a), 1) ?? 0) + 1) },
      { s: 'B', sql: (c) => set(1, (valueAt(rowsOfOut(c.b), 1) ?? 0) + 1) },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const lost = both(run) && valueAt(run.final, 1) === 11;
      return v(lost, `${both(run) ? 'both committed' : 'one was refused'}, ${final(run)}`);
    },
  },
  {
    id: 'P4-incr',
    name: 'lost update with value = value + 1',
    idea: 'The same race, but the server computes value + 1 from the row it locks.',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: byId(1), as: 'a' },
      { s: 'B', sql: byId(1), as: 'b' },
      { s: 'A', sql: 'UPDATE {t} SET value = value + 1 WHERE id = 1' },
      { s: 'B', sql: 'UPDATE {t} SET value = value + 1 WHERE id = 1' },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const lost = both(run) && valueAt(run.final, 1) === 11;
      return v(lost, `${both(run) ? 'both committed' : 'one was refused'}, ${final(run)}`);
    },
  },
  {
    id: 'G-single',
    name: 'read skew',
    idea: 'A reads row 1, B moves 2 from row 2 to row 1 and commits, A reads row 2: sum 30?',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: byId(1), as: 'a1' },
      { s: 'B', sql: byId(1) },
      { s: 'B', sql: byId(2) },
      { s: 'B', sql: set(1, 12) },
      { s: 'B', sql: set(2, 18) },
      { s: 'B', sql: 'COMMIT' },
      { s: 'A', sql: byId(2), as: 'a2' },
      { s: 'A', sql: 'COMMIT' },
    ],
    judge: (run) => {
      const x = valueAt(rowsOf(run, 'a1'), 1);
      const y = valueAt(rowsOf(run, 'a2'), 2);
      return v(x === 10 && y === 18, `A read 1=>${x ?? '?'} and 2=>${y ?? '?'}`);
    },
  },
  {
    id: 'G-single-write',
    name: 'read skew, then a write',
    idea: "The same transfer, then A deletes WHERE value = 20: does A act on B's rows or its own?",
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: byId(1), as: 'a1' },
      { s: 'B', sql: set(1, 12) },
      { s: 'B', sql: set(2, 18) },
      { s: 'B', sql: 'COMMIT' },
      { s: 'A', sql: 'DELETE FROM {t} WHERE value = 20', as: 'del' },
      { s: 'A', sql: all, as: 'a2' },
      { s: 'A', sql: 'COMMIT' },
    ],
    judge: (run) => {
      // A's DELETE and A's reads must agree on one state: after deleting every row with value 20,
      // A must not still see one.
      const a2 = rowsOf(run, 'a2');
      const anomaly = run.committed.A === true && (a2 ?? []).some((r) => r.value === 20);
      return v(anomaly, `A then read ${a2 ? fmtRows(a2) : '(failed)'}; ${final(run)}`);
    },
  },
  {
    id: 'G2-item',
    name: 'write skew',
    idea: 'A and B read rows 1 and 2, then each updates a different row; both commit?',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: 'SELECT * FROM {t} WHERE id IN (1, 2) ORDER BY id' },
      { s: 'B', sql: 'SELECT * FROM {t} WHERE id IN (1, 2) ORDER BY id' },
      { s: 'A', sql: set(1, 11) },
      { s: 'B', sql: set(2, 21) },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => v(both(run), `${both(run) ? 'both committed' : 'one refused'}, ${final(run)}`),
  },
  {
    id: 'G2',
    name: 'anti-dependency cycle',
    idea: 'A and B find no row with value % 3 = 0 and each inserts one; both commit?',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: 'SELECT * FROM {t} WHERE value % 3 = 0' },
      { s: 'B', sql: 'SELECT * FROM {t} WHERE value % 3 = 0' },
      { s: 'A', sql: 'INSERT INTO {t} (id, value) VALUES (3, 30)' },
      { s: 'B', sql: 'INSERT INTO {t} (id, value) VALUES (4, 42)' },
      { s: 'A', sql: 'COMMIT' },
      { s: 'B', sql: 'COMMIT' },
    ],
    judge: (run) => v(both(run), `${both(run) ? 'both committed' : 'one refused'}, ${final(run)}`),
  },
];

function rowsOfOut(out: Run['captures'][string]) {
  return out?.kind === 'rows' ? out.rows : undefined;
}

export function scenario(id: string): Scenario {
  const sc = SCENARIOS.find((s) => s.id === id);
  if (!sc) throw new Error(`no scenario ${id}`);
  return sc;
}
