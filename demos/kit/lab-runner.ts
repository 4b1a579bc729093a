// The child process of one lab check: imports the lab, runs its claims against the files in a
// folder, and writes what they found as JSON to a file the parent named (stdout and stderr are the
// learner's code's own). Run by lab-check.ts only: node --import tsx lab-runner.ts <lab.ts> <dir> <out>.
// SIGTERM (the learner's Ctrl-C, relayed by lab-check.ts) runs the check's deferred cleanups —
// servers stopped, a paused standby resumed, topics deleted — and then exits.

import { writeFileSync } from 'node:fs';
import { errorSummary } from './context.ts';
import { onInterrupt } from './interrupt.ts';
import { type ClaimsRun, loadLab, runClaims } from './lab.ts';

onInterrupt(
  async () => undefined,
  (line) => process.stderr.write(`${line}\n`),
);

const [labFile, dir, out] = process.argv.slice(2) as [string, string, string];
let result: ClaimsRun;
try {
  result = await runClaims(await loadLab(labFile), dir);
} catch (err) {
  result = { claims: [], error: errorSummary(err) };
}
writeFileSync(out, JSON.stringify(result));
// The learner's code may have left a server or a timer behind: the verdict is written, so go.
process.exit(0);
