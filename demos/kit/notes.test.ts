// Every demo points at its note, and the note agrees with the code: step sections exist, "Shown
// by" lines sit in the sections their steps name, every step id a note cites exists, the
// "Common mistakes" list is the ledger's, the version table is the version facts', the note
// carries the run line, and the README's index lists the demo.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { variableNames } from './endpoints.ts';
import { isDecided, renderMistakes } from './ledger.ts';
import { renderNeedsTable } from './needs-table.ts';
import { markedBlock, readNote, runLine, slugify } from './notes.ts';
import { ROOT } from './paths.ts';
import { loadDemos, topicIds } from './registry.ts';
import { renderVersionTable } from './versions.ts';

const demos = await loadDemos();
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const SEEDS = `${ROOT}../shared/seeds`;

/** Step ids a line cites: "step `a`", "steps `a`, `b` and `c`". */
function citedSteps(line: string): string[] {
  const ids: string[] = [];
  for (const m of line.matchAll(/\bsteps? ((?:`[^`]+`(?:,\s*|\s+and\s+|\s+or\s+)?)+)/g)) {
    for (const id of (m[1] ?? '').matchAll(/`([^`]+)`/g)) ids.push(id[1] as string);
  }
  return ids;
}

/** Each line of a note with the slug of the heading it sits under (outside code blocks). */
function linesBySection(text: string): { slug: string; line: string }[] {
  const out: { slug: string; line: string }[] = [];
  const counts = new Map<string, number>();
  let slug = '';
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^(```|~~~)/.test(line)) fenced = !fenced;
    const head = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (head) {
      const base = slugify(head[1] as string);
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      slug = n ? `${base}-${n}` : base;
    } else if (!fenced) out.push({ slug, line });
  }
  return out;
}

function seedLines(source: string): number | undefined {
  const m = /^seed (\d{3}):(\d+)(?:-(\d+))?$/.exec(source);
  if (!m) return undefined;
  const file = readdirSync(SEEDS).find((f) => f.startsWith(`${m[1]}_`));
  if (!file) return -1;
  const length = readFileSync(`${SEEDS}/${file}`, 'utf8').split('\n').length;
  return Number(m[3] ?? m[2]) <= length ? length : -1;
}

describe('notes', () => {
  it('finds the demos', () => {
    expect(topicIds().length).toBeGreaterThan(0);
  });

  it("the README's table of needs is rendered from the registry", () => {
    expect(markedBlock(readme, 'needs'), 'the <!-- needs --> block').toBe(renderNeedsTable(demos));
  });

  it('the README documents every environment variable the kit reads', () => {
    expect(variableNames().filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });

  for (const demo of demos) {
    describe(demo.id, () => {
      const sections = readNote(demo.id);
      const path = `${ROOT}notes/${demo.id}.md`;
      const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
      const stepIds = new Set(demo.steps.map((s) => s.id));

      it(`has notes/${demo.id}.md with the run line`, () => {
        expect(sections, `notes/${demo.id}.md is missing`).toBeDefined();
        expect(text).toContain(runLine(demo.id));
      });

      it('every step names a section that exists in the note', () => {
        const slugs = new Set((sections ?? []).map((s) => s.slug));
        const missing = demo.steps
          .filter((s) => !slugs.has(s.section))
          .map((s) => `${s.id} → #${s.section}`);
        expect(missing).toEqual([]);
      });

      it('every step has a "Shown by" line in the section it names', () => {
        const shown = linesBySection(text).filter((l) => /^Shown by:/.test(l.line.trim()));
        const misplaced = shown.flatMap(({ slug, line }) =>
          citedSteps(line)
            .filter((id) => demo.steps.some((s) => s.id === id && s.section !== slug))
            .map((id) => `step ${id} is shown under #${slug}`),
        );
        const cited = new Set(shown.flatMap((l) => citedSteps(l.line)));
        const unshown = demo.steps.filter((s) => !cited.has(s.id)).map((s) => s.id);
        expect({ misplaced, unshown }).toEqual({ misplaced: [], unshown: [] });
      });

      it('every step id the note cites exists', () => {
        const unknown = linesBySection(text)
          .flatMap((l) => citedSteps(l.line))
          .filter((id) => !stepIds.has(id));
        expect([...new Set(unknown)]).toEqual([]);
      });

      it('has a ledger whose entries are sound, and "Common mistakes" is rendered from it', () => {
        expect(demo.ledger.length, `demos/${demo.id} has no ledger`).toBeGreaterThan(0);
        const ids = demo.ledger.map((e) => e.id);
        expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
        const bad = demo.ledger.flatMap((e) => {
          const problems: string[] = [];
          if (isDecided(e.by) && !stepIds.has(e.by.step))
            problems.push(`${e.id}: no step "${e.by.step}"`);
          if (e.source !== 'lore' && !/^seed \d{3}:\d+(-\d+)?$/.test(e.source))
            problems.push(`${e.id}: source "${e.source}" is neither lore nor "seed NNN:line"`);
          return problems;
        });
        expect(bad).toEqual([]);
        expect(markedBlock(text, 'ledger'), 'the <!-- ledger --> block').toBe(
          renderMistakes(demo.ledger),
        );
      });

      // The seed notes live beside the checkout (../shared/seeds), not in it: a clone without
      // them cannot check the line numbers, and says so; CI has them and must check.
      it("every seed line its ledger cites exists in the seed's file", (ctx) => {
        if (!existsSync(SEEDS)) {
          const why = `no seed notes at ${SEEDS} to check the ledger's line numbers against`;
          if (process.env.CI === 'true') throw new Error(`${why} (required under CI=true)`);
          ctx.skip(why);
        }
        const bad = demo.ledger
          .filter((e) => e.source !== 'lore' && (seedLines(e.source) ?? -1) < 0)
          .map((e) => `${e.id}: ${e.source}`);
        expect(bad).toEqual([]);
      });

      it('has "What depends on the version", with the table of its version facts', () => {
        expect((sections ?? []).some((s) => s.slug === 'what-depends-on-the-version')).toBe(true);
        if (demo.versions.length) {
          expect(markedBlock(text, 'versions'), 'the <!-- versions --> block').toBe(
            renderVersionTable(demo.versions),
          );
        }
      });

      it('is listed in the README index', () => {
        expect(readme).toContain(`demos/${demo.id}`);
      });
    });
  }
});
