// The narrated transcript: what a reader sees when they run `npx tsx demos/<topic>`.

import { claimLine, type StepEvent } from './context.ts';
import type { Demo, Step } from './define.ts';
import { figureLines } from './figures.ts';
import { writeTrace } from './interrupt.ts';
import { reflow, type Section } from './notes.ts';
import type { DemoResult, Reporter, Stack, StepResult } from './run.ts';
import type { Style } from './style.ts';
import { padTable } from './table.ts';
import { fold, WIDTH, wrap } from './text.ts';

const INDENT = '   ';

export interface TranscriptOptions {
  style: Style;
  write: (line: string) => void;
  /** Sections of the note by slug, when --notes asks for the prose before each step. */
  notes?: Map<string, Section>;
}

export interface TranscriptReporter extends Reporter {
  /** The closing lines: parts touched after the header, the claim count, `N passed, N failed`. */
  finish(result: DemoResult): void;
}

export function transcriptReporter<Env>(demo: Demo<Env>, o: TranscriptOptions): TranscriptReporter {
  const { style, write } = o;
  const shown = new Set<string>();
  const p = style.paint;
  const out = (text: string) => write(INDENT + text);
  const render = (e: StepEvent) => {
    switch (e.kind) {
      case 'say':
        for (const l of wrap(e.text, WIDTH, INDENT)) write(l);
        break;
      case 'show': {
        const lines = e.value.split('\n');
        if (lines.length === 1 && e.label.length + e.value.length < WIDTH - 8) {
          out(`${p('dim', e.label.padEnd(10))} ${e.value}`);
        } else {
          out(p('dim', e.label));
          for (const l of lines) out(`  ${l}`);
        }
        break;
      }
      case 'block':
        for (const l of e.lines.flatMap((x) => fold(x, WIDTH - INDENT.length)))
          out(colorWire(l, style));
        break;
      case 'table': {
        const lines = padTable(e.header, e.rows);
        if (lines.every((l) => l.length <= WIDTH - INDENT.length)) {
          for (const [i, l] of lines.entries()) out(i < 2 ? p('bold', l) : l);
          break;
        }
        // Too wide to fit: each row as a record, its first cell as the title.
        for (const row of e.rows) {
          out(p('bold', row[0] ?? ''));
          e.header.slice(1).forEach((h, i) => {
            const line = `  ${h ? `${h}: ` : ''}${row[i + 1] ?? ''}`;
            for (const l of fold(line, WIDTH - INDENT.length)) out(l);
          });
        }
        break;
      }
      case 'waiting':
        out(p('dim', `… ${e.what}`));
        break;
      case 'figure':
        for (const l of figureLines(e.figure).flatMap((x) => fold(x, WIDTH - INDENT.length)))
          out(colorWire(l, style));
        break;
      case 'claim': {
        // Wrapped with a hanging indent, painted after wrapping so colour codes do not count.
        const [first = '', ...rest] = wrap(claimLine(e.claim), WIDTH - INDENT.length - 2);
        out(`${p(e.claim.ok ? 'green' : 'red', first.slice(0, 1))}${first.slice(1)}`);
        for (const l of rest) out(`  ${l}`);
        break;
      }
    }
  };
  return {
    opened(stack: Stack) {
      for (const l of stackLines(stack)) write(p('dim', l));
      for (const part of Object.keys(stack)) shown.add(part);
    },
    finish(result: DemoResult) {
      const later = Object.entries(result.stack).filter(([part]) => !shown.has(part));
      if (later.length) {
        write('');
        for (const l of stackLines(Object.fromEntries(later), 'Also touched')) write(p('dim', l));
      }
      closing(result, style, write);
    },
    stepStart(s: Step<unknown>, index: number, total: number) {
      write('');
      const where = `notes/${demo.id}.md#${s.section}`;
      const head = `${index + 1}/${total} ${s.title}`;
      const gap = WIDTH - head.length - where.length;
      write(
        gap >= 2
          ? `${p('bold', head)}${' '.repeat(gap)}${p('dim', where)}`
          : `${p('bold', head)}\n${INDENT}${p('dim', where)}`,
      );
      const section = o.notes?.get(s.section);
      if (section) {
        for (const l of wrap(reflow(section.body), WIDTH, `${INDENT}│ `)) write(p('dim', l));
        write('');
      }
    },
    event: render,
    stepEnd(r: StepResult) {
      const room = WIDTH - INDENT.length;
      if (r.skipped) {
        for (const l of wrap(`– skipped: ${r.skipped}`, room, '')) out(p('yellow', l));
      }
      if (r.error) {
        // A thrown error's frames go to a file: the reader gets the message and where to look.
        const [first = '', ...frames] = r.error.split('\n');
        const traced = frames.some((f) => /^\s+at /.test(f));
        const lines = traced ? [errorWithTrace(first, r.error)] : r.error.split('\n');
        for (const l of lines.flatMap((e) => fold(`✗ ${e}`, room))) out(p('red', l));
      }
    },
  };
}

function errorWithTrace(message: string, trace: string): string {
  const file = writeTrace(trace);
  return file ? `${message} (trace in ${file})` : message;
}

/** Wire lines read like curl -v: requests in one colour, responses in another. */
function colorWire(line: string, style: Style): string {
  if (line.startsWith('> ')) return style.paint('cyan', line);
  if (line.startsWith('< ')) return style.paint('magenta', line);
  return line;
}

export function header<Env>(demo: Demo<Env>, style: Style, write: (l: string) => void): void {
  write(style.paint('bold', demo.title));
  if (demo.summary) for (const l of wrap(demo.summary)) write(l);
  write(style.paint('dim', `notes/${demo.id}.md`));
}

/** `Stack: node 24.22.3 · node openssl 3.5.9 · PostgreSQL 15.19 …`, folded to the width. */
export function stackLines(stack: Stack, label = 'Stack'): string[] {
  const parts = Object.entries(stack).map(([part, version]) => `${part} ${version}`);
  return wrap(`${label}: ${parts.join(' · ')}`);
}

function closing(result: DemoResult, style: Style, write: (l: string) => void): void {
  const claims = result.steps.flatMap((s) => s.claims);
  const failedClaims = claims.filter((c) => !c.ok).length;
  write('');
  write(
    style.paint(
      'dim',
      `${claims.length} claim${claims.length === 1 ? '' : 's'} checked, ${failedClaims} did not hold`,
    ),
  );
  const skipped = result.skipped ? `, ${result.skipped} skipped` : '';
  const line = `${result.passed} passed, ${result.failed} failed${skipped}`;
  write(style.paint(result.failed ? 'red' : result.skipped ? 'yellow' : 'green', line));
}
