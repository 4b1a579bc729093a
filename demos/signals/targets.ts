// Starting target.mjs (the process the steps send signals to) and asking it whether it lives.

import { shipped } from './env.ts';
import { type Exit, type Proc, type Processes, until } from './harness.ts';

/** target.mjs as a direct child, ready; `--inspect-port=0` keeps SIGUSR1's inspector off 9229. */
export async function startTarget(procs: Processes, args: string[] = []): Promise<Proc> {
  const p = procs.start(process.execPath, ['--inspect-port=0', shipped('target.mjs'), ...args]);
  await p.waitFor(/ready \d+/);
  return p;
}

/** A node command line running target.mjs, for a shell or an init to run. */
export function targetCommand(args: string[] = []): string[] {
  return [process.execPath, '--inspect-port=0', shipped('target.mjs'), ...args];
}

/** A round trip: "ping" on stdin answered by "pong" means the process is alive and running. */
export async function answers(p: Proc, boundMs = 5000): Promise<boolean> {
  const pongs = () => p.output().match(/^pong$/gm)?.length ?? 0;
  const before = pongs();
  p.send('ping');
  return until(
    'a pong or an exit',
    () => (pongs() > before ? true : p.running() ? undefined : false),
    boundMs,
  );
}

/** How a process ended, as a reader says it. */
export function describeExit(e: Exit | undefined): string {
  if (!e) return 'still running';
  return e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`;
}
