// Labs in the browser view: the topic page lists its labs at the top, and beside the section each
// lab practises a panel shows its task, your files and whether you solved it; on the live page a
// Check button runs the same check as `npx tsx demos/<topic> lab <name> --check` on your
// workspace (./wirenotes-labs/<topic>/<name>/ under the folder the view was started from) and
// streams the claims and the hint into the panel.

import { join } from 'node:path';
import { UsageError } from '../args.ts';
import type { Lab } from '../lab.ts';
import { checkAndReport } from '../lab-command.ts';
import { progressOf } from '../lab-progress.ts';
import { makeStyle } from '../style.ts';
import { esc } from './html.ts';
import type { ViewMessage } from './server.ts';

const panelId = (lab: Lab) => `lab:${lab.id}`;

export function labList(labs: Lab[]): string {
  if (!labs.length) return '';
  const items = labs.map((lab) => {
    const solved = progressOf(lab.topic, lab.id).solved ? ' <span class="ready">solved</span>' : '';
    return `<li><a href="#lab-${esc(lab.id)}">${esc(lab.title)}</a> <code>${esc(lab.id)}</code>${solved}</li>`;
  });
  return `<section class="labs"><h2>Labs</h2><ul>${items.join('')}</ul></section>`;
}

export function labPanel(lab: Lab, live: boolean): string {
  const files = lab.files.map((f) => join('wirenotes-labs', lab.topic, lab.id, f));
  const solved = progressOf(lab.topic, lab.id).solved ? ' <span class="ready">solved</span>' : '';
  const check = live
    ? `<button type="button" class="run" data-lab="${esc(lab.id)}">Check</button>`
    : '';
  return `<aside class="panel lab" id="lab-${esc(lab.id)}" data-step="${esc(panelId(lab))}">
<header><strong>Lab: ${esc(lab.title)}</strong>${solved} ${check}</header>
<p>${esc(lab.task)}</p>
<p>Start it with <code>npx tsx demos/${esc(lab.topic)} lab ${esc(lab.id)}</code>, then edit
${files.map((f) => `<code>${esc(f)}</code>`).join(', ')}.</p>
<div class="out" aria-live="polite"></div>
</aside>`;
}

/** Runs the lab's check on the workspace `ws` and streams what `--check` prints. */
export async function checkForView(
  lab: Lab,
  ws: string,
  send: (m: ViewMessage) => void,
): Promise<void> {
  const step = panelId(lab);
  send({ type: 'start', step });
  const line = (text: string) => send({ type: 'event', step, html: `<pre>${esc(text)}</pre>` });
  try {
    const v = await checkAndReport(lab, ws, {
      style: makeStyle(false),
      out: line,
      err: line,
    });
    send({ type: 'end', step, html: '', status: v.solved ? 'passed' : 'failed' });
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    send({
      type: 'end',
      step,
      html: `<p class="missing">${esc(err.message)}</p>`,
      status: 'skipped',
    });
  }
}
