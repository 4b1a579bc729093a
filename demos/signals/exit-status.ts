// What an exit status means, as a shell's $? and a container runtime report it. A process that
// exits passes 0-255 (exit(n) keeps n's low 8 bits); a process killed by signal N has no exit
// code at all, and the shell reports 128 + N (POSIX: "greater than 128"; bash and dash use 128+N).

import { constants } from 'node:os';

interface StatusMeaning {
  /** The status a parent sees: n modulo 256. */
  status: number;
  /** Whether n was outside 0-255 and wrapped. */
  wrapped: boolean;
  /** The signal whose 128 + N it is, if any. */
  signal?: string;
  meaning: string;
}

const NAMES = new Map<number, string>(
  Object.entries(constants.signals).map(([name, n]) => [n, name] as [number, string]),
);

/** The name of signal number `n` on this platform (SIGKILL for 9 on x86 and ARM). */
function signalName(n: number): string | undefined {
  return NAMES.get(n);
}

/** 128 + the signal's number: the status a shell reports for a process the signal killed. */
export function statusOf(signal: NodeJS.Signals): number {
  return 128 + constants.signals[signal];
}

export function describeStatus(n: number): StatusMeaning {
  const status = ((n % 256) + 256) % 256;
  const wrapped = status !== n;
  const base = { status, wrapped };
  if (status === 0) return { ...base, meaning: 'success' };
  if (status === 126)
    return { ...base, meaning: 'the shell found the command but could not execute it' };
  if (status === 127) return { ...base, meaning: 'the shell did not find the command' };
  const signal = status > 128 ? signalName(status - 128) : undefined;
  if (signal) {
    return {
      ...base,
      signal,
      meaning: `128 + ${status - 128}: killed by ${signal} (a shell's report), or exit(${status})`,
    };
  }
  if (status === 255) return { ...base, meaning: 'exit(-1) or exit(255): no standard meaning' };
  return {
    ...base,
    meaning: `the program's own failure code ${status} (its documentation says which)`,
  };
}
