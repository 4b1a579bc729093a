// What a command sees of processes and interfaces, read from inside by the tools a person would
// run there (ps, ip link): the ns-types and netns steps read it of unshare and a fresh network
// namespace, the pid-namespace lab of whatever the learner's launcher made.

import type { Ran, Sandbox } from '../kit/sandbox.ts';

/**
 * A shell says its own PID ($$), starts one background sleep, then runs ps: three processes. The
 * background child is a copy of the shell (`sh`) until it has exec'd sleep, so ps waits for its
 * comm to say sleep (at most about 2 s: a launcher without its own /proc never shows it). On a
 * loaded CI line ps once ran in between and listed sh, sh, ps.
 */
const PS_SCRIPT = [
  'echo "shell $$"',
  'sleep 60 >/dev/null 2>&1 &',
  'n=0',
  'until { read -r c </proc/$!/comm && [ "$c" = sleep ]; } 2>/dev/null || [ $n -ge 200 ]; do n=$((n + 1)); sleep 0.01; done',
  'ps -e -o pid=,comm=',
].join('\n');

interface Seen {
  /** The shell's PID in its own PID namespace, as it says it ($$). */
  shellPid: number;
  /** What ps listed there: [pid, comm], sorted by pid. */
  rows: string[][];
  ran: Ran;
}

/** What a shell started by `launcher` (e.g. unshare --pid --fork) is and lists with ps. */
export async function processesSeen(sb: Sandbox, launcher: string[]): Promise<Seen> {
  const [command = 'sh', ...args] = launcher;
  const ran = await sb.run(command, [...args, 'sh', '-c', PS_SCRIPT]);
  const [first = '', ...lines] = ran.stdout.trim().split('\n');
  const rows = lines.filter(Boolean).map((l) => l.trim().split(/\s+/));
  return { shellPid: Number(/^shell (\d+)$/.exec(first)?.[1] ?? Number.NaN), rows, ran };
}

/** `ip -o link show` as `<name> <state>` per interface (`lo DOWN`). */
export function interfaceStates(ipOutput: string): string[] {
  return ipOutput
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => `${/^\d+: ([^:@\s]+)/.exec(l)?.[1]} ${/state (\S+)/.exec(l)?.[1]}`);
}
