// Every lab of a topic proves itself, in the topic's own test file (testDemo registers it after
// the steps, so a topic's labs run where its services are and the files spread over the workers):
// its starting files fail on the claim it names, with a hint for it; the reference solution
// passes; each tempting wrong fix fails on its claim, with a hint. The claims run in this process
// (the files are ours); the learner's path — a child process per check, its own process group, a
// time limit — is proven in lab-command.test.ts.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hintsFor, type Lab, labNames, loadLabs, runClaims } from './lab.ts';
import { verdict } from './lab-check.ts';
import { readNote } from './notes.ts';
import { requireServices } from './vitest.ts';

async function verdictOf(lab: Lab, sub: string) {
  return verdict(await runClaims(lab, join(lab.folder, sub)));
}

/** The labs of topic `id`, one describe per lab (none when the topic has no labs). */
export function testLabs(id: string): void {
  if (!labNames(id).length) return;
  describe(`labs of ${id}`, async () => {
    const labs = await loadLabs(id);
    const note = readNote(id) ?? [];
    const sections = new Set(note.map((s) => s.slug));
    for (const lab of labs) {
      describe(lab.id, () => {
        it('is well formed: id, note section, files, a TODO in the start, hints for what fails', () => {
          expect(lab.id).toMatch(/^[a-z0-9-]{1,24}$/);
          expect(lab.folder.endsWith(`/labs/${lab.id}`)).toBe(true);
          expect(sections.has(lab.section), `notes/${id}.md#${lab.section}`).toBe(true);
          // The note links the lab in the section it practises.
          const text = note.find((s) => s.slug === lab.section)?.body ?? '';
          expect(text, `notes/${id}.md#${lab.section} links the lab`).toContain(
            `npx tsx demos/${id} lab ${lab.id}`,
          );
          for (const f of lab.files) {
            const start = readFileSync(join(lab.folder, 'start', f), 'utf8');
            expect(start, `start/${f}`).toMatch(/TODO/);
            expect(readFileSync(join(lab.folder, 'solution', f), 'utf8')).not.toBe(start);
            for (const w of lab.wrong)
              expect(existsSync(join(lab.folder, 'wrong', w.case, f))).toBe(true);
          }
          expect(lab.wrong.length, 'at least one tempting wrong fix').toBeGreaterThan(0);
          for (const claim of [lab.startFails, ...lab.wrong.map((w) => w.fails)])
            expect(hintsFor(lab, claim), `a hint ladder for "${claim}"`).toBeDefined();
        });

        it(`the start fails on "${lab.startFails}"`, async (ctx) => {
          await requireServices(ctx, lab.needs ?? []);
          const v = await verdictOf(lab, 'start');
          expect(v.failing?.text, JSON.stringify(v.claims)).toMatch(
            new RegExp(`^${literally(lab.startFails)}`),
          );
        });

        it('the reference solution passes every claim', async (ctx) => {
          await requireServices(ctx, lab.needs ?? []);
          const v = await verdictOf(lab, 'solution');
          expect(v.failing, JSON.stringify(v.failing)).toBeUndefined();
          expect(v.solved).toBe(true);
        });

        for (const w of lab.wrong) {
          it(`the wrong fix "${w.case}" fails on "${w.fails}" (${w.why})`, async (ctx) => {
            await requireServices(ctx, lab.needs ?? []);
            const v = await verdictOf(lab, join('wrong', w.case));
            expect(v.failing?.text, JSON.stringify(v.claims)).toMatch(
              new RegExp(`^${literally(w.fails)}`),
            );
          });
        }
      });
    }
  });
}

function literally(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
