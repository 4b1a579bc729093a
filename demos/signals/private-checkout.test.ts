// A checkout in a folder other users cannot enter (mode 700, as root's home is): the step
// `postgres` runs its throwaway cluster as the `postgres` OS user, which must still reach the
// cluster's folder. The sources are copied into such a folder (node_modules linked, not copied)
// and the step runs there as a user runs it: `npx tsx demos/signals --step postgres`.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plainEnv } from '../kit/endpoints.ts';
import { ROOT } from '../kit/paths.ts';
import { requireServices } from '../kit/vitest.ts';

const SOURCES = ['demos', 'services', 'notes', 'package.json', 'tsconfig.json'];

function run(cwd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(cwd, 'node_modules/.bin/tsx'), args, {
      cwd,
      env: { ...plainEnv(), CI: '' },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

describe('a checkout in a folder only its owner can enter', () => {
  const closed = mkdtempSync(join(tmpdir(), 'wirenotes-private-'));
  afterAll(() => rmSync(closed, { recursive: true, force: true }));

  it('runs the signals step postgres, whose server runs as the postgres user', async (ctx) => {
    if (process.getuid?.() !== 0) {
      ctx.skip(
        'not root: the throwaway cluster then runs as ourselves, so no folder is closed to it',
      );
    }
    await requireServices(ctx, ['postgres15-binaries']);
    chmodSync(closed, 0o700);
    const checkout = join(closed, 'wirenotes');
    for (const s of SOURCES) cpSync(join(ROOT, s), join(checkout, s), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    // The premise: the postgres user cannot enter the checkout.
    const entered = spawnSync('setpriv', [
      '--reuid=postgres',
      '--regid=postgres',
      '--clear-groups',
      'test',
      '-x',
      checkout,
    ]);
    expect(entered.status, 'the postgres user entered the closed folder').toBe(1);

    const r = await run(checkout, ['demos/signals', '--step', 'postgres', '--no-color']);
    expect(r.out).not.toMatch(/Permission denied/);
    expect(r.out).toMatch(/^1 passed, 0 failed/m);
    expect(r.code, r.out).toBe(0);
  }, 180_000);
});
