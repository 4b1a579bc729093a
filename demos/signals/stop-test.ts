// The graceful-shutdown check a supervisor performs, for any command: start it, wait until it is
// ready, send TERM, give it a grace period, then KILL (Kubernetes does this with 30 s, docker stop
// with 10 s). Used by the stop-test subcommand and by the Kubernetes step.

import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type Exit,
  endedWithin,
  exitWithin,
  groupMembers,
  killGroup,
  type Proc,
  type Processes,
  until,
} from './harness.ts';

interface StopTestOptions {
  command: string[];
  /** Seconds to wait before TERM, when `ready` is not given. */
  after: number;
  /** A regular expression for the command's output, or an http(s) URL that must answer. */
  ready?: string;
  /** Seconds between TERM and KILL. */
  grace: number;
  /** How long to wait for `ready`, in ms. */
  readyBoundMs?: number;
}

export interface StopTestReport {
  pid: number;
  /** How readiness was established. */
  ready: string;
  /** It exited before TERM was sent. */
  early?: Exit;
  /** ms from TERM to the exit (when it exited by itself). */
  exitMs?: number;
  exit: Exit;
  /** KILL was needed after the grace period. */
  killed: boolean;
  /** Processes of its group still alive after it exited (killed too). */
  leftovers: number;
  output: string;
}

async function answers(url: string): Promise<true | undefined> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return undefined;
  }
}

async function becomeReady(o: StopTestOptions, output: Proc): Promise<string> {
  const bound = o.readyBoundMs ?? 60_000;
  if (o.ready === undefined) {
    await delay(o.after * 1000);
    return `after ${o.after} s`;
  }
  if (/^https?:\/\//.test(o.ready)) {
    const url = o.ready;
    await until(`${url} to answer`, () => answers(url), bound);
    return `${url} answered`;
  }
  await output.waitFor(new RegExp(o.ready), bound);
  return `its output matched /${o.ready}/`;
}

export async function stopTest(procs: Processes, o: StopTestOptions): Promise<StopTestReport> {
  const [command, ...args] = o.command;
  if (command === undefined) throw new Error('stopTest: no command');
  const p = procs.start(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // An exit before readiness is a result (it did not stay up), not a failure to wait.
  const ready = await Promise.race([
    becomeReady(o, p).catch((err: unknown) => {
      if (p.running()) throw err;
      return undefined;
    }),
    p.exited.then(() => undefined),
  ]);
  if (ready === undefined) {
    const early = await p.exited;
    // Its output (why it did not stay up) may still be on the way; a child it left holding the
    // streams is why this is bounded.
    await endedWithin(p, 5000);
    return {
      pid: p.pid,
      ready: 'never',
      early,
      exit: early,
      killed: false,
      leftovers: 0,
      output: p.output(),
    };
  }
  const sent = performance.now();
  p.child.kill('SIGTERM');
  const exit = await exitWithin(p, o.grace * 1000);
  const exitMs = exit ? Math.round(performance.now() - sent) : undefined;
  if (!exit) killGroup(p.pid, 'SIGKILL');
  const final = exit ?? (await p.exited);
  const leftovers = groupMembers(p.pid).length;
  if (leftovers) killGroup(p.pid, 'SIGKILL');
  await endedWithin(p, 5000);
  return { pid: p.pid, ready, exitMs, exit: final, killed: !exit, leftovers, output: p.output() };
}

/** Whether the report shows a TERM handler: it exited by itself with a code, not by TERM. */
export function handledTerm(r: StopTestReport): boolean {
  return !r.killed && r.exit.code !== null;
}
