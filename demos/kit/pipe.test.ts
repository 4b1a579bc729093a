// A reader that goes away (`npx tsx demos/jwt | head -2`) ends a running demo as SIGPIPE would:
// its teardown runs, nothing is said about it, and the status is 141 (128 + SIGPIPE), what a
// shell under pipefail reports for `yes | head`.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './paths.ts';

it('a closed pipe ends a demo quietly with status 141', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'demos/jwt/index.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c;
  });
  // The first line read, the reader is gone: later writes fail with EPIPE.
  await once(child.stdout, 'data');
  child.stdout.destroy();
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  expect({ code, signal, stderr }).toEqual({ code: 141, signal: null, stderr: '' });
});
