// The note's matrix table, rendered from the anomaly records: notes/isolation.md carries it
// between <!-- matrix --> and <!-- /matrix -->, and note.test.ts fails when the two differ.

import {
  ansiForbids,
  type Cell,
  type Expected,
  MEASURED_ON,
  TESTS,
  type Test,
} from './anomalies.ts';
import { LEVELS, SHORT } from './engines.ts';

const ANSI: Record<string, string> = {
  'READ UNCOMMITTED': 'every level',
  'READ COMMITTED': 'RC and up',
  'REPEATABLE READ': 'RR and up',
  SERIALIZABLE: 'SER',
};

function ansiColumn(x: Test): string {
  if (!x.ansi) return '—';
  const from = LEVELS.find((l) => ansiForbids(x, l)) ?? x.ansi.forbiddenFrom;
  return `${ANSI[from]} (${x.ansi.phenomenon})`;
}

/** A cell as the note writes it; one that differs by version as `10.11 value / 11.4 value`. */
function shown(e: Expected): string {
  return typeof e === 'string' ? e : e.cases.map((c) => c.value).join(' / ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** The lines between the markers: a table per engine, each naming the versions it was measured on. */
export function matrixTable(): string[] {
  const levels = LEVELS.map((l) => SHORT[l]);
  return [
    `PostgreSQL ${MEASURED_ON.postgres.join(' and ')}:`,
    '',
    ...table(
      ['test', ...levels, 'ANSI forbids at'],
      TESTS.map((x) => [x.id, ...x.expect.postgres.map(shown), ansiColumn(x)]),
    ),
    '',
    `MariaDB ${MEASURED_ON.mariadb.join(' and ')}, innodb_snapshot_isolation=OFF (their default); the`,
    'last column is REPEATABLE READ with it ON (the default from 11.6.2); `a / b` is 10.11 / 11.4:',
    '',
    ...table(
      ['test', ...levels, 'RR, ON'],
      TESTS.map((x) => [x.id, ...x.expect.mariadb.map(shown), x.expect.mariadbSnapshotRR as Cell]),
    ),
  ];
}
