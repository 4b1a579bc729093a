// HTML for the browser view: the events a step emits (the same ones the transcript prints),
// rendered once here and used by both the live view (streamed) and the static export (recorded).

import { claimLine, type StepEvent } from '../context.ts';
import { type Figure, figureLines } from '../figures.ts';
import type { Stack, StepResult } from '../run.ts';
import { mermaidSource } from './mermaid.ts';

export function esc(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function table(header: string[], rows: string[][]): string {
  const head = header.map((h) => `<th>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`);
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table></div>`;
}

/** A figure as a diagram (Mermaid draws it in the page) with its text form folded under it. */
function figure(f: Figure): string {
  const title = f.title ? `<figcaption>${esc(f.title)}</figcaption>` : '';
  const drawing =
    f.kind === 'matrix'
      ? table(
          ['', ...f.columns],
          f.rows.map((r) => [r.label, ...r.cells]),
        )
      : `<pre class="mermaid">${esc(mermaidSource(f))}</pre>`;
  const text = `<details><summary>as text</summary><pre>${esc(figureLines(f).join('\n'))}</pre></details>`;
  return `<figure class="figure figure-${f.kind}">${title}${drawing}${text}</figure>`;
}

function wireLine(l: string): string {
  const cls = l.startsWith('> ') ? 'req' : l.startsWith('< ') ? 'res' : '';
  return cls ? `<span class="${cls}">${esc(l)}</span>` : esc(l);
}

export function eventHtml(e: StepEvent): string {
  switch (e.kind) {
    case 'say':
      return `<p class="say">${esc(e.text)}</p>`;
    case 'show':
      return `<div class="show"><span class="label">${esc(e.label)}</span><pre>${esc(e.value)}</pre></div>`;
    case 'block':
      return `<pre class="block">${e.lines.map(wireLine).join('\n')}</pre>`;
    case 'table':
      return table(e.header, e.rows);
    case 'waiting':
      return `<p class="waiting">… ${esc(e.what)}</p>`;
    case 'figure':
      return figure(e.figure);
    case 'claim': {
      const cls = e.claim.ok ? 'ok' : 'bad';
      // A list of one: each claim is a list item, and streamed items need no list to join.
      return `<ul class="claims"><li class="claim ${cls}">${esc(claimLine(e.claim))}</li></ul>`;
    }
  }
}

export function stepEndHtml(r: StepResult): string {
  const parts: string[] = [];
  if (r.skipped) parts.push(`<p class="skipped">skipped: ${esc(r.skipped)}</p>`);
  if (r.error) parts.push(`<pre class="error">✗ ${esc(r.error)}</pre>`);
  const claims = r.claims.length;
  const failed = r.claims.filter((c) => !c.ok).length;
  parts.push(
    `<p class="status status-${r.status}">${r.status}: ${claims} claim${claims === 1 ? '' : 's'}` +
      `${failed ? `, ${failed} did not hold` : ''} · ${r.ms} ms</p>`,
  );
  return parts.join('');
}

export function stackHtml(stack: Stack, when?: string): string {
  const parts = Object.entries(stack).map(([k, v]) => `${esc(k)} ${esc(v)}`);
  const stamp = when ? `Recorded ${esc(when)} · ` : '';
  return `<p class="stack">${stamp}${parts.join(' · ')}</p>`;
}

export interface PageOptions {
  title: string;
  body: string;
  /** Where the assets are, relative to the page: "/assets" live, "assets" in an export. */
  assets: string;
  /** Whether the page runs steps (live) or only draws recorded diagrams (export). */
  live: boolean;
}

export function page(o: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>${esc(o.title)}</title>
<link rel="stylesheet" href="${o.assets}/view.css">
</head>
<body data-live="${o.live}">
${o.body}
<script src="${o.assets}/mermaid.min.js"></script>
<script src="${o.assets}/view.js"></script>
</body>
</html>
`;
}
