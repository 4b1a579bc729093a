// Printing: a run as a side-by-side timeline (one column per session, one row per statement in
// the order the server saw them), and the measured anomaly matrix.

import type { Outcome } from './engines.ts';
import { fmtRows, mechanism, type Run, type SessionName } from './runner.ts';

const WIDTH = 96;
const SEP = ' │ ';

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

export function renderTimeline(run: Run, sessions: SessionName[]): string[] {
  const n = sessions.length;
  const col = Math.floor((WIDTH - SEP.length * (n - 1)) / n);
  const row = (cells: string[]) =>
    cells
      .map((c, i) => (i === n - 1 ? c : c.padEnd(col)))
      .join(SEP)
      .trimEnd();
  const lines = [row(sessions.map((s) => `${s}`)), row(sessions.map(() => '─'.repeat(col)))];
  const lastSql = new Map<SessionName, string>();
  for (const e of run.timeline) {
    let result = '';
    if (e.skipped) result = `· ${e.skipped}`;
    else if (e.blocked) result = '⏸ blocks: waits for a lock';
    else if (e.outcome) {
      const prefix = e.resumed ? '↳ unblocked → ' : '→ ';
      result = prefix + describeOutcome(e.outcome, e.sql ?? lastSql.get(e.s));
    }
    if (e.sql !== undefined) lastSql.set(e.s, e.sql);
    const oneLine = e.sql !== undefined ? `${e.sql} ${result}` : result;
    const text =
      oneLine.length <= col
        ? [oneLine]
        : [...(e.sql !== undefined ? wrapTo(e.sql, col) : []), ...wrapTo(result, col)];
    const i = sessions.indexOf(e.s);
    for (const t of text) lines.push(row(sessions.map((_, j) => (j === i ? t : ''))));
  }
  return lines;
}

/** A matrix cell: did the anomaly happen, and if not, what stopped it. */
export function cell(run: Run): string {
  if (run.verdict.anomaly) return 'YES';
  const how = mechanism(run);
  return how ? `no (${how})` : 'no';
}
