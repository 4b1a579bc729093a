// `npx tsx demos view --export <dir>`: runs every demo once and writes a self-contained site of
// every note with the run's recorded panels and diagrams, stamped with the date and the stack, so
// a reader without Kafka or PostgreSQL sees what a real run showed. Opens from file://.

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Demo } from '../define.ts';
import { loadLabs } from '../lab.ts';
import type { Stack } from '../run.ts';
import { esc, page, stackHtml } from './html.ts';
import { notePageBody, type PanelContent } from './note-page.ts';
import { ASSETS, indexBody, runForView } from './server.ts';

export interface ExportedTopic {
  topic: string;
  steps: number;
  passed: number;
  /** A setup problem (a missing service) that kept the steps from running. */
  problem?: string;
}

async function record(demo: Demo<unknown>) {
  const panels = new Map<string, PanelContent>();
  const stack: Stack = {};
  let passed = 0;
  let problem: string | undefined;
  const add = (id: string, html: string) => {
    const p = panels.get(id) ?? { html: '' };
    p.html += html;
    panels.set(id, p);
  };
  await runForView(demo, [], (m) => {
    if (m.type === 'event') add(m.step, m.html);
    if (m.type === 'end') {
      add(m.step, m.html);
      if (m.status === 'passed') passed += 1;
    }
    if (m.type === 'problem') problem = m.html.replace(/<[^>]+>/g, ' ').trim();
    if (m.type === 'stack') Object.assign(stack, m.stack);
  });
  return { panels, stack, passed, problem };
}

export async function exportSite(
  demos: Demo<unknown>[],
  dir: string,
  report: (line: string) => void,
): Promise<ExportedTopic[]> {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  for (const [name, asset] of Object.entries(ASSETS))
    copyFileSync(asset.file, join(dir, 'assets', name));
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const results: ExportedTopic[] = [];
  for (const demo of demos) {
    report(`running ${demo.id} (${demo.steps.length} steps)`);
    const { panels, stack, passed, problem } = await record(demo);
    const banner = [
      stackHtml(stack, `${when} UTC`),
      problem ? `<p class="stack missing">Not recorded: ${esc(problem)}</p>` : '',
    ].join('');
    const labs = await loadLabs(demo.id);
    const body = notePageBody(demo, {
      recorded: panels,
      banner,
      home: 'index.html',
      live: false,
      labs,
    });
    writeFileSync(
      join(dir, `${demo.id}.html`),
      page({ title: demo.title, body, assets: 'assets', live: false }),
    );
    const r = { topic: demo.id, steps: demo.steps.length, passed };
    results.push(problem ? { ...r, problem } : r);
  }
  const index = await indexBody(demos, (id) => `${id}.html`);
  writeFileSync(
    join(dir, 'index.html'),
    page({
      title: 'wirenotes',
      body: `${index}<p class="stack">Recorded ${when} UTC</p>`,
      assets: 'assets',
      live: false,
    }),
  );
  return results;
}
