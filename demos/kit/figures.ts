// Figures: structured data a step shows, drawn as text by the transcript and as diagrams by the
// browser view. A step says what happened once (`t.figure(…)`); each reader draws it its own way.

import { padTable } from './table.ts';

/** One message between two parties: an HTTP request or response, a TLS flight, a preflight. */
export interface Message {
  from: string;
  to: string;
  /** The first line as a reader would say it: `GET /items HTTP/1.1`, `ServerHello`. */
  label: string;
  /** The raw lines (headers and so on), printed under the label. */
  lines?: string[];
  /** Under TLS: whether the flight travels in clear or encrypted. */
  secrecy?: 'clear' | 'encrypted';
  /** A remark drawn beside the arrow ("blocked by the browser"). */
  note?: string;
}

/** A sequence of messages between parties (client, nginx, server; browser, API). */
export interface SequenceFigure {
  kind: 'sequence';
  title?: string;
  parties: string[];
  messages: Message[];
}

export type TimelineMark = 'ok' | 'blocked' | 'refused' | 'waits';

/** Operations of concurrent sessions in the order the server saw them (isolation scenarios). */
export interface TimelineFigure {
  kind: 'timeline';
  title?: string;
  /** Column headers: "session A", "session B". */
  lanes: string[];
  rows: { lane: number; text: string; result?: string; mark?: TimelineMark }[];
}

/** Who holds what, before and after a change: partitions per member, the ISR per partition. */
export interface AssignmentFigure {
  kind: 'assignment';
  title?: string;
  /** What the keys are ("member", "partition") and what the values are ("partitions", "ISR"). */
  keyLabel: string;
  valueLabel: string;
  states: { label: string; map: Record<string, string[]> }[];
}

/** A labelled grid whose cells are outcomes (the isolation matrix, a spread of counts). */
export interface MatrixFigure {
  kind: 'matrix';
  title?: string;
  columns: string[];
  rows: { label: string; cells: string[] }[];
}

export type Figure = SequenceFigure | TimelineFigure | AssignmentFigure | MatrixFigure;

const MARK: Record<TimelineMark, string> = { ok: '', blocked: '⏸ ', refused: '⊘ ', waits: '… ' };

/** The text form of a figure, as the transcript prints it (before folding to the width). */
export function figureLines(f: Figure): string[] {
  const title = f.title ? [f.title] : [];
  switch (f.kind) {
    case 'sequence':
      return [
        ...title,
        ...f.messages.flatMap((m) => {
          const arrow = `${m.from} → ${m.to}`;
          const secrecy = m.secrecy ? ` [${m.secrecy}]` : '';
          const note = m.note ? `  (${m.note})` : '';
          return [`${arrow}: ${m.label}${secrecy}${note}`, ...(m.lines ?? []).map((l) => `  ${l}`)];
        }),
      ];
    case 'timeline': {
      const cell = (r: TimelineFigure['rows'][number]) =>
        `${MARK[r.mark ?? 'ok']}${r.text}${r.result ? ` → ${r.result}` : ''}`;
      const rows = f.rows.map((r) => f.lanes.map((_, i) => (i === r.lane ? cell(r) : '')));
      return [...title, ...padTable(f.lanes, rows)];
    }
    case 'assignment': {
      const keys = [...new Set(f.states.flatMap((s) => Object.keys(s.map)))].sort(byNatural);
      const header = [f.keyLabel, ...f.states.map((s) => `${f.valueLabel} ${s.label}`)];
      const rows = keys.map((k) => [k, ...f.states.map((s) => (s.map[k] ?? []).join(',') || '—')]);
      return [...title, ...padTable(header, rows)];
    }
    case 'matrix':
      return [
        ...title,
        ...padTable(
          ['', ...f.columns],
          f.rows.map((r) => [r.label, ...r.cells]),
        ),
      ];
  }
}

function byNatural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
