// Showing: a run as a timeline figure (one lane per session, one row per statement in the order
// the server saw them, blocked and refused statements marked), the measured matrix as matrix
// figures (one per level, a column per server), and the cells and claims both are made of.

import type { StepContext } from '../kit/define.ts';
import type { MatrixFigure, TimelineFigure, TimelineMark } from '../kit/figures.ts';
import { ansiForbids, type Cell, expectedCell, type Test } from './anomalies.ts';
import type { Level, Outcome } from './engines.ts';
import type { Server } from './env.ts';
import { type Entry, fmtRows, mechanism, type Run, type SessionName } from './runner.ts';

/** The transcript's room for a figure (100 columns less the step indent). */
const WIDTH = 96;

export function describeOutcome(out: Outcome, sql = ''): string {
  switch (out.kind) {
    case 'rows':
      return out.rows.length ? fmtRows(out.rows) : '(no rows)';
    case 'done':
      if (/^COMMIT$/i.test(sql.trim()) && out.tag === 'ROLLBACK') return 'ROLLBACK (not committed)';
      return /^(COMMIT|ROLLBACK|START|BEGIN|SET)/i.test(out.tag)
        ? out.tag
        : `${out.tag} ${out.count}`;
    case 'error':
      return `ERROR ${out.code}: ${out.message}${out.trxGone ? ' [transaction rolled back]' : ''}`;
  }
}

/** Splits text into lines of at most `width` characters, at spaces where possible. */
export function wrapTo(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > width) {
      if (line) out.push(line);
      out.push(w.slice(0, width));
      w = w.slice(width);
      line = '';
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

/** What a statement returned, short enough for a lane: the full error text is shown below. */
function shortOutcome(out: Outcome, sql: string): { result: string; mark: TimelineMark } {
  if (out.kind !== 'error') return { result: describeOutcome(out, sql), mark: 'ok' };
  return { result: `ERROR ${out.code}${out.trxGone ? ', rolled back' : ''}`, mark: 'refused' };
}

/** One run as a timeline: a lane per session, long statements wrapped within their lane. */
export function timelineFigure(
  timeline: Entry[],
  sessions: SessionName[],
  title: string,
): TimelineFigure {
  const room = Math.floor((WIDTH - 2 * (sessions.length - 1)) / sessions.length) - 2;
  const rows: TimelineFigure['rows'] = [];
  const lastSql = new Map<SessionName, string>();
  for (const e of timeline) {
    const lane = sessions.indexOf(e.s);
    let text = e.sql ?? '↳ resumes';
    let { result, mark } = e.outcome
      ? shortOutcome(e.outcome, e.sql ?? lastSql.get(e.s) ?? '')
      : { result: '', mark: 'ok' as TimelineMark };
    if (e.blocked) ({ result, mark } = { result: 'waits for a lock', mark: 'blocked' });
    if (e.skipped) result = 'not sent: already rolled back';
    if (e.sql !== undefined) lastSql.set(e.s, e.sql);
    const chunks = wrapTo(text, room);
    text = chunks.pop() as string;
    for (const c of chunks) rows.push({ lane, text: c });
    if (text.length + result.length + 3 > room) {
      rows.push({ lane, text });
      text = '';
    }
    rows.push({ lane, text, result, mark });
  }
  return { kind: 'timeline', title, lanes: sessions.map((s) => `session ${s}`), rows };
}

/** The error messages a timeline shortened to their codes, each once. */
export function errorTexts(timeline: Entry[]): [string, string][] {
  const seen = new Map<string, string>();
  for (const e of timeline) {
    if (e.outcome?.kind === 'error') seen.set(e.outcome.code, e.outcome.message);
  }
  return [...seen];
}

/** A matrix cell: did the anomaly happen, and if not, what stopped it. */
export function cellOf(run: Run): Cell {
  if (run.verdict.anomaly) return 'YES';
  return (mechanism(run) || 'no') as Cell;
}

/** How a claim says a cell: "occurs", "does not occur: refused with 40001". */
export const PHRASE: Record<Cell, string> = {
  YES: 'occurs',
  no: 'does not occur',
  lock: 'does not occur: a session waits for a lock',
  '40001': 'does not occur: refused with 40001',
  '1213': 'does not occur: refused with 1213',
  '1020': 'does not occur: refused with 1020',
};

/** Whether the server runs REPEATABLE READ as snapshot isolation (MariaDB's setting ON). */
export const snapshotOn = (s: Server) => s.snapshot === 'ON';

/**
 * The claim per level, from the record: "PostgreSQL 15 REPEATABLE READ: P4 does not occur:
 * refused with 40001", asserted against the measured cell.
 */
export function claimCells(t: StepContext, server: Server, x: Test, runs: Run[]): void {
  const { engine } = server;
  for (const run of runs) {
    const expected = expectedCell(x, engine, run.level, snapshotOn(server));
    t.equal(`${engine.label} ${run.level}: ${x.id} ${PHRASE[expected]}`, cellOf(run), expected);
  }
}

/** The measured cells of one level, a column per server (`PG 15.20`), the ANSI verdict last. */
export function matrixFigure(
  level: Level,
  tests: Test[],
  columns: { server: Server; cells: Map<string, Cell> }[],
): MatrixFigure {
  const ansi = (x: Test) => {
    const forbids = ansiForbids(x, level);
    return forbids === undefined ? '—' : forbids ? 'forbids' : 'allows';
  };
  return {
    kind: 'matrix',
    title: level,
    columns: [...columns.map((c) => serverColumn(c.server)), 'ANSI'],
    rows: tests.map((x) => ({
      label: x.id,
      cells: [...columns.map((c) => c.cells.get(x.id) ?? '?'), ansi(x)],
    })),
  };
}

/** `PG 15.20`, `MariaDB 11.4.5`: a column header naming the exact version measured. */
export function serverColumn(s: Server): string {
  return `${s.engine.kind === 'postgres' ? 'PG' : 'MariaDB'} ${s.engine.version}`;
}
