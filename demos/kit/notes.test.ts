// Every demo points at its note: step sections exist, the note carries the run line, and the
// README's index lists the demo.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readNote, runLine } from './notes.ts';
import { ROOT } from './paths.ts';
import { loadDemos, topicIds } from './registry.ts';

const demos = await loadDemos();
const readme = readFileSync(`${ROOT}README.md`, 'utf8');

describe('notes', () => {
  it('finds the demos', () => {
    expect(topicIds().length).toBeGreaterThan(0);
  });

  for (const demo of demos) {
    describe(demo.id, () => {
      const sections = readNote(demo.id);

      it(`has notes/${demo.id}.md with the run line`, () => {
        expect(sections, `notes/${demo.id}.md is missing`).toBeDefined();
        expect(readFileSync(`${ROOT}notes/${demo.id}.md`, 'utf8')).toContain(runLine(demo.id));
      });

      it('every step names a section that exists in the note', () => {
        const slugs = new Set((sections ?? []).map((s) => s.slug));
        const missing = demo.steps
          .filter((s) => !slugs.has(s.section))
          .map((s) => `${s.id} → #${s.section}`);
        expect(missing).toEqual([]);
      });

      it('every step is named by a "Shown by" line of the note', () => {
        const text = readFileSync(`${ROOT}notes/${demo.id}.md`, 'utf8');
        const unnamed = demo.steps.filter((s) => !text.includes(`\`${s.id}\``)).map((s) => s.id);
        expect(unnamed).toEqual([]);
      });

      it('is listed in the README index', () => {
        expect(readme).toContain(`demos/${demo.id}`);
      });
    });
  }
});
