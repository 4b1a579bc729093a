// Runs a lab's claims against a folder of files in a child process of its own (its own process
// group, a timeout), so a learner's file that hangs, crashes or calls process.exit is reported as
// the failing claim, never as a crash of the checker. Ctrl-C (the signal) asks the check to clean up
// first — SIGTERM to the runner, which runs the check's deferred cleanups — and kills the whole
// group once it has exited, or after CLEANUP_GRACE_MS.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClaimResult } from './context.ts';
import { plainEnv } from './endpoints.ts';
import type { ClaimsRun, Lab } from './lab.ts';

export interface LabVerdict {
  claims: ClaimResult[];
  /** The first claim that did not hold; undefined when the lab is solved. */
  failing?: ClaimResult;
  solved: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** How long an interrupted check may spend on its cleanups before its group is killed. */
const CLEANUP_GRACE_MS = 15_000;
const RUNNER = new URL('./lab-runner.ts', import.meta.url).pathname;
const TSX = import.meta.resolve('tsx');

/** The claim a check that did not finish fails on: it names what happened to the code. */
function ranClaim(detail: string): ClaimResult {
  return { text: 'your files load and the check runs to its end', ok: false, detail };
}

/** The verdict of a run: its claims, and the one that did not finish when it did not. */
export function verdict(run: ClaimsRun | undefined, problem?: string): LabVerdict {
  const claims = [...(run?.claims ?? [])];
  const why = problem ?? run?.error?.split('\n')[0];
  if (why !== undefined) claims.push(ranClaim(why));
  const failing = claims.find((c) => !c.ok);
  return { claims, failing, solved: !failing && claims.length > 0 };
}

export function checkLab(lab: Lab, dir: string, signal?: AbortSignal): Promise<LabVerdict> {
  const scratch = mkdtempSync(join(tmpdir(), 'wirenotes-lab-'));
  const out = join(scratch, 'result.json');
  const timeoutMs = lab.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<LabVerdict>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, RUNNER, lab.file, dir, out], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: plainEnv(),
    });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d).slice(-2000);
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    let grace: NodeJS.Timeout | undefined;
    const onAbort = () => {
      // The runner only: its cleanups may still need the processes of its group.
      child.kill('SIGTERM');
      grace = setTimeout(killGroup, CLEANUP_GRACE_MS);
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', reject);
    child.once('close', (code, sig) => {
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      killGroup(); // whatever the learner's code left running in the group
      let result: ClaimsRun | undefined;
      try {
        result = JSON.parse(readFileSync(out, 'utf8')) as ClaimsRun;
      } catch {
        result = undefined;
      }
      rmSync(scratch, { recursive: true, force: true });
      if (timedOut)
        resolve(verdict(result, `it was still running after ${timeoutMs / 1000} s: killed`));
      else if (!result) {
        const last = stderr.trim().split('\n').filter(Boolean).at(-1) ?? '';
        resolve(
          verdict(
            undefined,
            `the check exited (${sig ?? `exit ${code}`}) before its verdict${last ? `: ${last}` : ''}`,
          ),
        );
      } else resolve(verdict(result));
    });
  });
}
