// Ctrl-C and SIGTERM run the cleanup (a demo's teardown, a stopped broker restarted) before the
// process exits; a second signal exits at once. Exit status is 128 + the signal's number, as a
// shell reports a process killed by that signal.

import { appendFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** A signal, or SIGPIPE: the reader of our output went away (`… | head`), seen as EPIPE. */
type Cause = (typeof SIGNALS)[number] | 'SIGPIPE';

/** The installed handler, for a closed pipe to end the run through it. */
let running: ((cause: Cause) => void) | undefined;
const SAME_CTRL_C_MS = 1000;

/** Cleanups of kernel objects and the like (kit/sandbox.ts), run after the handler's own. */
const registered = new Set<() => Promise<unknown>>();

/**
 * Adds a cleanup that an interrupt runs after `onInterrupt`'s own, before the process exits
 * (whoever owns the object may already have cleaned it: make it idempotent). Returns the function
 * that removes it again.
 */
export function atInterrupt(cleanup: () => Promise<unknown>): () => void {
  registered.add(cleanup);
  return () => registered.delete(cleanup);
}

async function runRegistered(): Promise<void> {
  const failures: unknown[] = [];
  for (const fn of [...registered].reverse()) await fn().catch((err) => failures.push(err));
  if (failures.length) throw failures[0];
}

/** Installs the handlers; the returned function removes them (call it when the work is done). */
export function onInterrupt(
  cleanup: () => Promise<unknown>,
  say: (line: string) => void,
): () => void {
  let seen = 0;
  let firstAt = 0;
  const handler = (signal: Cause) => {
    const status = 128 + constants.signals[signal];
    seen += 1;
    if (seen === 1) firstAt = Date.now();
    // Ctrl-C signals the whole process group, and tsx relays the signal to its child again when
    // the child is slow to acknowledge it (30 ms): a repeat that soon is the same Ctrl-C.
    if (seen > 1 && Date.now() - firstAt < SAME_CTRL_C_MS) return;
    if (seen > 1) process.exit(status);
    // A closed pipe is no news to the user who closed it: clean up without a word, exit 141 as
    // a process killed by SIGPIPE would (`yes | head` under pipefail).
    if (signal !== 'SIGPIPE')
      say(`${signal}: cleaning up before exit (send it again to exit at once)`);
    cleanup()
      .finally(runRegistered)
      .then(
        () => process.exit(status),
        (err: unknown) => {
          say(
            `cleanup after ${signal} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
          process.exit(status);
        },
      );
  };
  for (const s of SIGNALS) process.on(s, handler);
  running = handler;
  return () => {
    for (const s of SIGNALS) process.off(s, handler);
    if (running === handler) running = undefined;
  };
}

/**
 * A bug reaches the user as one line: the message and the file holding the whole trace.
 * Returns that line.
 */
export function reportBug(prefix: string, err: unknown): string {
  const file = writeTrace(err instanceof Error ? (err.stack ?? err.message) : String(err));
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return `${prefix}: internal error: ${message}${file ? ` (full trace in ${file})` : ''}`;
}

/** Appends a trace to this process's error file in the temp folder; returns its path. */
export function writeTrace(trace: string): string | undefined {
  const file = join(tmpdir(), `wirenotes-error-${process.pid}.log`);
  try {
    appendFileSync(file, `${new Date().toISOString()} ${process.argv.join(' ')}\n${trace}\n`);
    return file;
  } catch {
    return undefined;
  }
}

let pipeWatched = false;

/** A reader that went away (`… | head`) ends the output, not with a stack trace. Once a process. */
export function endQuietlyOnClosedPipe(): void {
  // A second call (entries run one after another in one process) would add listeners up to
  // Node's MaxListenersExceededWarning, on stderr.
  if (pipeWatched) return;
  pipeWatched = true;
  let closed = false;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      // Every later write fails the same way; the first one decides.
      if (closed) return;
      closed = true;
      // A demo still running: its teardown runs as for a signal, then the process exits.
      if (running) running('SIGPIPE');
      else process.exit(process.exitCode ?? 0);
    });
  }
}
