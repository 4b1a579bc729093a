// Figures as Mermaid diagram sources: a sequence figure as a sequence diagram (TLS flights in
// clear or encrypted as solid or dotted arrows), a timeline as the two sessions talking to the
// database, an assignment as one graph per state. Matrices stay HTML tables (see html.ts).

import type { AssignmentFigure, SequenceFigure, TimelineFigure } from '../figures.ts';

/** Mermaid's text must not contain its own syntax characters. */
function text(s: string): string {
  return s.replace(/[;#:<>{}"]/g, (c) => `#${c.charCodeAt(0)};`);
}

function id(name: string): string {
  return `p${[...name].map((c) => c.charCodeAt(0).toString(36)).join('')}`;
}

function sequence(f: SequenceFigure): string {
  const lines = ['sequenceDiagram'];
  for (const p of f.parties) lines.push(`  participant ${id(p)} as ${text(p)}`);
  for (const m of f.messages) {
    const arrow = m.secrecy === 'encrypted' ? '-->>' : '->>';
    const label = m.secrecy ? `${m.label} [${m.secrecy}]` : m.label;
    lines.push(`  ${id(m.from)}${arrow}${id(m.to)}: ${text(label)}`);
    if (m.note) lines.push(`  Note over ${id(m.to)}: ${text(m.note)}`);
  }
  return lines.join('\n');
}

const DB = 'the database';

function timeline(f: TimelineFigure): string {
  const lines = ['sequenceDiagram'];
  f.lanes.forEach((lane, i) => {
    lines.push(`  participant ${id(lane)} as ${text(lane)}`);
    if (i === 0) lines.push(`  participant ${id(DB)} as ${DB}`);
  });
  for (const r of f.rows) {
    const lane = id(f.lanes[r.lane] ?? '');
    lines.push(`  ${lane}->>${id(DB)}: ${text(r.text)}`);
    if (r.mark === 'blocked' || r.mark === 'waits') lines.push(`  Note over ${lane}: ${r.mark}`);
    if (r.result) {
      const mark = r.mark === 'refused' ? '⊘ ' : '';
      lines.push(`  ${id(DB)}-->>${lane}: ${mark}${text(r.result)}`);
    } else if (r.mark === 'refused') lines.push(`  Note over ${lane}: ⊘ refused`);
  }
  return lines.join('\n');
}

function assignment(f: AssignmentFigure): string {
  const lines = ['flowchart LR'];
  f.states.forEach((state, s) => {
    lines.push(`  subgraph s${s}["${text(state.label)}"]`, '    direction TB');
    for (const [key, values] of Object.entries(state.map)) {
      const k = `s${s}${id(key)}`;
      lines.push(`    ${k}["${text(key)}"]`);
      for (const v of values) lines.push(`    ${k} --> s${s}${id(v)}v["${text(v)}"]`);
      if (!values.length) lines.push(`    ${k} --> s${s}${id(key)}none["—"]`);
    }
    lines.push('  end');
  });
  return lines.join('\n');
}

export function mermaidSource(f: SequenceFigure | TimelineFigure | AssignmentFigure): string {
  switch (f.kind) {
    case 'sequence':
      return sequence(f);
    case 'timeline':
      return timeline(f);
    case 'assignment':
      return assignment(f);
  }
}
