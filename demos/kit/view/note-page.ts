// A note as an HTML page: the Markdown rendered with GitHub's heading anchors, cut at each
// heading into rows, and beside the row of each section a step shows, that step's panel.

import { readFileSync } from 'node:fs';
import { Marked, type Token } from 'marked';
import { getHeadingList, gfmHeadingId, resetHeadings } from 'marked-gfm-heading-id';
import type { Demo } from '../define.ts';
import type { Lab } from '../lab.ts';
import { notePath } from '../paths.ts';
import { esc } from './html.ts';
import { labList, labPanel } from './lab-panels.ts';

const marked = new Marked(gfmHeadingId());

export interface PanelContent {
  /** Recorded output of the step (the export), or empty for a live page. */
  html: string;
}

interface Row {
  slug: string | undefined;
  html: string;
}

/** The note cut into rows at every heading, each with its heading's GitHub anchor. */
function rows(markdown: string): Row[] {
  resetHeadings();
  const chunks: Token[][] = [[]];
  for (const token of marked.lexer(markdown)) {
    if (token.type === 'heading') chunks.push([]);
    (chunks.at(-1) as Token[]).push(token);
  }
  return chunks
    .filter((c) => c.length)
    .map((tokens) => {
      const before = getHeadingList().length;
      const html = marked.parser(tokens as Parameters<typeof marked.parser>[0]);
      const heading = getHeadingList().length > before ? getHeadingList().at(-1) : undefined;
      return { slug: heading?.id, html };
    });
}

function panel(demo: Demo<unknown>, index: number, o: NotePageOptions): string {
  const s = demo.steps[index];
  if (!s) return '';
  const content = o.recorded?.get(s.id);
  const run = o.live
    ? `<button type="button" class="run" data-run="${esc(s.id)}">Run ${esc(s.id)}</button>`
    : '';
  const needs = [...new Set([...demo.needs, ...s.needs])];
  return `<aside class="panel" id="step-${esc(s.id)}" data-step="${esc(s.id)}">
<header><span class="num">${index + 1}/${demo.steps.length}</span> <strong>${esc(s.title)}</strong>
<span class="needs">${needs.length ? `needs ${esc(needs.join(', '))}` : 'Node only'}</span>
${run}</header>
<div class="out" aria-live="polite">${content?.html ?? ''}</div>
</aside>`;
}

export interface NotePageOptions {
  /** Recorded panels by step id (the export); a live page leaves them empty. */
  recorded?: Map<string, PanelContent>;
  /** Extra HTML at the top: the stack line, the date of a recorded run. */
  banner?: string;
  /** The link back to the list of topics. */
  home: string;
  live: boolean;
  /** The topic's labs: listed at the top, each with its panel beside the section it practises. */
  labs?: Lab[];
}

export function notePageBody(demo: Demo<unknown>, o: NotePageOptions): string {
  const markdown = readFileSync(notePath(demo.id), 'utf8');
  const shown = new Map<string, number[]>();
  demo.steps.forEach((s, i) => {
    shown.set(s.section, [...(shown.get(s.section) ?? []), i]);
  });
  const body = rows(markdown).map((row) => {
    const panels = [
      ...(row.slug ? (shown.get(row.slug) ?? []) : []).map((i) => panel(demo, i, o)),
      ...(o.labs ?? []).filter((l) => l.section === row.slug).map((l) => labPanel(l, o.live)),
    ].join('\n');
    const cls = panels ? 'row with-panel' : 'row';
    return `<section class="${cls}"><div class="prose">${row.html}</div>${panels}</section>`;
  });
  const runAll = o.live
    ? `<button type="button" class="run-all" data-run-all="${esc(demo.id)}">Run all</button>`
    : '';
  return `<nav class="top"><a href="${o.home}">wirenotes</a> / ${esc(demo.id)} ${runAll}</nav>
${o.banner ?? ''}
${labList(o.labs ?? [])}
<main data-topic="${esc(demo.id)}">
${body.join('\n')}
</main>`;
}
