// The closing line `tests: N passed, N failed, N skipped` never says 0 failed for a run that
// failed: a file whose import throws and a file whose beforeAll throws each count as failed.

import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { plainEnv } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';

it('counts files that fail outside their tests, and exits 1', () => {
  const r = spawnSync(
    `${ROOT}node_modules/.bin/vitest`,
    ['run', '--config', 'services/fixtures/summary/vitest.config.ts'],
    { cwd: ROOT, env: { ...plainEnv(), CI: '' }, encoding: 'utf8' },
  );
  const out = r.stdout + r.stderr;
  expect(r.status, out).toBe(1);
  const line = /^tests: (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m.exec(r.stdout);
  expect(line, out).not.toBeNull();
  // passes.check.ts: 1 passed, 1 skipped; import-fails: the file, failed; hook-fails: the file,
  // failed, and its one test, which never ran, skipped.
  expect(line?.slice(1, 4).map(Number)).toEqual([1, 2, 2]);
});
