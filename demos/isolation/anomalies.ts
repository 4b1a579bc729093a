// The anomaly tests, ONE RECORD EACH (after Hermitage): the interleaving, the rule that decides
// from the observed results whether the anomaly happened, what ANSI SQL-92 says, and the outcome
// measured at every level on each engine. The steps assert the measurement equals the record;
// the note's matrix is rendered from the records (note.test.ts keeps the two equal).
// Every test starts from the rows (1, 10), (2, 20) in a fresh copy of the table.

import { expectedFor, type VersionFact } from '../kit/versions.ts';
import type { Kind, Level } from './engines.ts';
import type { Run, Scenario, Verdict } from './runner.ts';
import { fmtRows, rowsOf, valueAt } from './runner.ts';
import { SER_HOLDER_WRITES } from './versions.ts';

/**
 * One matrix cell: YES (the anomaly happened), no (it did not, nobody waited or failed), lock (it
 * did not: a session waited for a lock), or the error code a session was refused with.
 */
export type Cell = 'YES' | 'no' | 'lock' | '40001' | '1213' | '1020';

/** A cell that differs by server version: its value per version is a version fact. */
export type Expected = Cell | VersionFact;

/** Cells at READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, SERIALIZABLE. */
type Cells = [Expected, Expected, Expected, Expected];

/** The servers the `expect` cells were measured on (the note's matrix names them). */
export const MEASURED_ON: Record<Kind, string[]> = {
  postgres: ['15.20', '17.6'],
  mariadb: ['10.11.19', '11.4.5'],
};

export interface Test extends Scenario {
  /** ANSI phenomenon (Berenson et al.'s broad reading) and the lowest level that forbids it. */
  ansi?: { phenomenon: string; forbiddenFrom: Level };
  /** The level whose timeline the transcript draws, per kind. */
  showcase: Record<Kind, Level>;
  /**
   * What the engines did on MEASURED_ON, MariaDB with innodb_snapshot_isolation=OFF (the default
   * of 10.11 and 11.4); `mariadbSnapshotRR` is MariaDB REPEATABLE READ with it ON (the default
   * from 11.6.2, set in the session here).
   */
  expect: { postgres: Cells; mariadb: Cells; mariadbSnapshotRR: Cell };
}

/** A note section's anomaly; its variants print inside its step. */
export interface Anomaly extends Test {
  section: string;
  /** The step's title. */
  title: string;
  variants?: Test[];
}

const RU: Level = 'READ UNCOMMITTED';
const RC: Level = 'READ COMMITTED';
const RR: Level = 'REPEATABLE READ';
const SER: Level = 'SERIALIZABLE';

const all = 'SELECT * FROM {t}';
const byId = (id: number) => `SELECT * FROM {t} WHERE id = ${id}`;
const set = (id: number, v: number) => `UPDATE {t} SET value = ${v} WHERE id = ${id}`;
const final = (run: Run) => `final ${fmtRows(run.final)}`;
const both = (run: Run) => run.committed.A === true && run.committed.B === true;
const v = (anomaly: boolean, evidence: string): Verdict => ({ anomaly, evidence });

export const ANOMALIES: Anomaly[] = [
  {
    id: 'G0',
    name: 'dirty write',
    section: 'g0-dirty-write',
    title: 'G0 dirty write: no level lets two writers interleave on a row',
    ansi: { phenomenon: 'P0', forbiddenFrom: RU },
    showcase: { postgres: RU, mariadb: RU },
    expect: {
      postgres: ['lock', 'lock', '40001', '40001'],
      mariadb: ['lock', 'lock', 'lock', 'lock'],
      mariadbSnapshotRR: 'lock',
    },
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
    section: 'g1a-aborted-read',
    title: 'G1a aborted read: only MariaDB READ UNCOMMITTED shows a rolled-back value',
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RU, mariadb: RU },
    expect: {
      postgres: ['no', 'no', 'no', 'no'],
      mariadb: ['YES', 'no', 'no', 'lock'],
      mariadbSnapshotRR: 'no',
    },
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
    section: 'g1b-intermediate-read',
    title: "G1b intermediate read: another transaction's unfinished value",
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RU, mariadb: SER },
    expect: {
      postgres: ['no', 'no', 'no', 'no'],
      mariadb: ['YES', 'no', 'no', 'lock'],
      mariadbSnapshotRR: 'no',
    },
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
    section: 'g1c-circular-information-flow',
    title: "G1c circular information flow: each reads the other's uncommitted write",
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RC, mariadb: RU },
    expect: {
      postgres: ['no', 'no', 'no', '40001'],
      mariadb: ['YES', 'no', 'no', '1213'],
      mariadbSnapshotRR: 'no',
    },
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
    section: 'otv-observed-transaction-vanishes',
    title: 'OTV observed transaction vanishes: a committed write seen, then overwritten',
    // What the test detects is C reading B's uncommitted value: a dirty read.
    ansi: { phenomenon: 'P1', forbiddenFrom: RC },
    showcase: { postgres: RC, mariadb: RU },
    expect: {
      postgres: ['no', 'no', 'no', 'no'],
      mariadb: ['YES', 'no', 'no', 'lock'],
      mariadbSnapshotRR: 'no',
    },
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
    section: 'pmp-phantom-read',
    title: 'PMP phantom: a predicate read grows between two reads',
    ansi: { phenomenon: 'P3', forbiddenFrom: SER },
    showcase: { postgres: RR, mariadb: SER },
    expect: {
      postgres: ['YES', 'YES', 'no', 'no'],
      mariadb: ['YES', 'YES', 'no', 'lock'],
      mariadbSnapshotRR: 'no',
    },
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
    section: 'pmp-write-predicate-write',
    title: 'PMP-write: a DELETE whose predicate races an UPDATE',
    ansi: { phenomenon: 'P3', forbiddenFrom: SER },
    showcase: { postgres: RC, mariadb: RR },
    expect: {
      postgres: ['YES', 'YES', '40001', '40001'],
      mariadb: ['lock', 'lock', 'YES', SER_HOLDER_WRITES],
      mariadbSnapshotRR: '1020',
    },
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
    section: 'p4-lost-update',
    title: 'P4 lost update: read, compute in the client, write back',
    ansi: { phenomenon: 'P2', forbiddenFrom: RR },
    showcase: { postgres: RR, mariadb: RR },
    expect: {
      postgres: ['YES', 'YES', '40001', '40001'],
      mariadb: ['YES', 'YES', 'YES', '1213'],
      mariadbSnapshotRR: '1020',
    },
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
    variants: [
      {
        id: 'P4-incr',
        name: 'lost update with value = value + 1',
        ansi: { phenomenon: 'P2', forbiddenFrom: RR },
        showcase: { postgres: RC, mariadb: RR },
        expect: {
          postgres: ['lock', 'lock', '40001', '40001'],
          mariadb: ['lock', 'lock', 'lock', '1213'],
          mariadbSnapshotRR: '1020',
        },
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
    ],
  },
  {
    id: 'G-single',
    name: 'read skew',
    section: 'g-single-read-skew',
    title: 'G-single read skew: half of a committed transfer',
    ansi: { phenomenon: 'P2', forbiddenFrom: RR },
    showcase: { postgres: RC, mariadb: RR },
    expect: {
      postgres: ['YES', 'YES', 'no', 'no'],
      mariadb: ['YES', 'YES', 'no', 'lock'],
      mariadbSnapshotRR: 'no',
    },
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
    variants: [
      {
        id: 'G-single-write',
        name: 'read skew, then a write',
        ansi: { phenomenon: 'P2', forbiddenFrom: RR },
        showcase: { postgres: RR, mariadb: RR },
        expect: {
          postgres: ['no', 'no', '40001', '40001'],
          mariadb: ['no', 'no', 'YES', SER_HOLDER_WRITES],
          mariadbSnapshotRR: '1020',
        },
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
    ],
  },
  {
    id: 'G2-item',
    name: 'write skew',
    section: 'g2-item-write-skew',
    title: 'G2-item write skew: disjoint writes based on the same reads',
    ansi: { phenomenon: 'P2', forbiddenFrom: RR },
    showcase: { postgres: SER, mariadb: SER },
    expect: {
      postgres: ['YES', 'YES', 'YES', '40001'],
      mariadb: ['YES', 'YES', 'YES', '1213'],
      mariadbSnapshotRR: 'YES',
    },
    idea: 'A and B read rows 1 and 2, then each updates a different row; both commit?',
    sessions: ['A', 'B'],
    ops: [
      { s: 'A', sql: 'SELECT * FROM {t} WHERE id IN (1, 2)' },
      { s: 'B', sql: 'SELECT * FROM {t} WHERE id IN (1, 2)' },
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
    section: 'g2-anti-dependency-cycle',
    title: 'G2 anti-dependency cycle: two inserts, each invisible to the other check',
    ansi: { phenomenon: 'P3', forbiddenFrom: SER },
    showcase: { postgres: SER, mariadb: RR },
    expect: {
      postgres: ['YES', 'YES', 'YES', '40001'],
      mariadb: ['YES', 'YES', 'YES', '1213'],
      mariadbSnapshotRR: 'YES',
    },
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

/** Every test, variants included, in the matrix's order. */
export const TESTS: Test[] = ANOMALIES.flatMap((a) => [a, ...(a.variants ?? [])]);

export function test(id: string): Test {
  const found = TESTS.find((x) => x.id === id);
  if (!found) throw new Error(`no test ${id}`);
  return found;
}

const ORDER: Level[] = [RU, RC, RR, SER];

/** The cell the record says this server shows: by kind, version and (MariaDB) snapshot setting. */
export function expectedCell(
  x: Test,
  server: { kind: Kind; version: string },
  level: Level,
  snapshotOn: boolean,
): Cell {
  if (server.kind === 'mariadb' && snapshotOn && level === RR) return x.expect.mariadbSnapshotRR;
  const e = x.expect[server.kind][ORDER.indexOf(level)] as Expected;
  return typeof e === 'string' ? e : (expectedFor(e, server.version).value as Cell);
}

/** Whether ANSI SQL-92 (read broadly) forbids the anomaly at `level`; undefined: it has no name. */
export function ansiForbids(x: Test, level: Level): boolean | undefined {
  if (!x.ansi) return undefined;
  return ORDER.indexOf(level) >= ORDER.indexOf(x.ansi.forbiddenFrom);
}
