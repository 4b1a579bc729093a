// The reaper: a small process each sandbox owner starts once, detached, with a pipe from the owner
// on its stdin. The kernel closes that pipe when the owner dies, however it dies (tsx SIGKILLs a
// child that is slow to acknowledge a Ctrl-C on a busy machine; nothing runs in the owner then),
// and the reaper sweeps what dead sandbox owners left. Usage: sandbox-reaper.ts <owner pid>

import { sweepSandboxes } from './sandbox.ts';
import { ownerGone } from './sandbox-names.ts';
import { waitFor } from './wait.ts';

const owner = Number(process.argv[2]);
process.stdin.resume();
process.stdin.once('end', async () => {
  // The pipe closes as the owner exits; its pid lingers until its parent collects it.
  await waitFor(
    'the owner to be gone',
    () => (ownerGone(`wn-${owner.toString(36)}-00`) ? true : undefined),
    {
      timeoutMs: 30_000,
      intervalMs: 50,
    },
  ).catch(() => {});
  await sweepSandboxes().catch(() => {});
  process.exit(0);
});
