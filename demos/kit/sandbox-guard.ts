// The guardian of a sandbox: a process of its own session that outlives its owner. The owner holds
// the write end of its stdin and writes "closed" once close() has removed everything. If stdin
// ends without that line, the owner died before it could clean up (SIGKILL; tsx kills its child
// when the child does not acknowledge a Ctrl-C within 60 ms, which a loaded machine misses), and
// the guardian sweeps at once what dead owners left, instead of waiting for the next run.
// Run as `node --import tsx/esm sandbox-guard.ts <owner pid>` by sandbox.ts.

import { existsSync } from 'node:fs';
import { sweepSandboxes } from './sandbox.ts';
import { waitFor } from './wait.ts';

const owner = Number(process.argv[2]);
let closed = false;
let input = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  if (input.includes('closed\n')) closed = true;
});
process.stdin.on('end', async () => {
  if (closed || !Number.isInteger(owner)) return;
  // The sweep takes only a gone owner's objects: wait until its pid has left /proc (reaped).
  await waitFor('the owner to be gone', () => (existsSync(`/proc/${owner}`) ? undefined : true), {
    timeoutMs: 30_000,
    intervalMs: 50,
  }).catch(() => undefined);
  await sweepSandboxes().catch(() => undefined);
});
