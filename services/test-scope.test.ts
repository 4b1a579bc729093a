// The matrix's split: `--mode per-line` leaves out exactly the run-once files of test-scope.ts,
// and every run-once glob still names a test file (a renamed file would
// otherwise quietly run on every line, or a dead glob quietly nowhere).

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../demos/kit/paths.ts';
import config from '../vitest.config.ts';
import { ONCE } from './test-scope.ts';

const testFiles = (readdirSync(ROOT, { recursive: true }) as string[]).filter(
  (f) => f.endsWith('.test.ts') && !f.startsWith('node_modules/') && !f.includes('/node_modules/'),
);

/** A vitest include/exclude glob as a regular expression (only `**` and `*` are used here). */
function globRegExp(glob: string): RegExp {
  const body = glob
    .split('**/')
    .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}

/** The test files vitest runs in that mode: the include minus the exclude. */
function selected(mode: string): string[] {
  const resolve = config as (env: { mode: string; command: 'serve' }) => {
    test: { include: string[]; exclude: string[] };
  };
  const matches = (globs: string[], f: string) => globs.some((g) => globRegExp(g).test(f));
  const { include, exclude } = resolve({ mode, command: 'serve' }).test;
  return testFiles.filter((f) => matches(include, f) && !matches(exclude, f)).sort();
}

describe('tests that run once, and on every Node line', () => {
  it.each(ONCE.map((s) => [s.glob]))('%s names at least one test file', (glob) => {
    expect(testFiles.filter((f) => globRegExp(glob).test(f))).not.toEqual([]);
  });

  it('the default mode runs every test file; --mode per-line all but the run-once ones', () => {
    const once = (f: string) => ONCE.some((s) => globRegExp(s.glob).test(f));
    expect(selected('test')).toEqual([...testFiles].sort());
    expect(selected('per-line')).toEqual(testFiles.filter((f) => !once(f)).sort());
    expect(selected('per-line').length).toBeGreaterThan(10);
  });
});
