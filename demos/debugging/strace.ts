// strace's outputs, parsed: the `-c` summary table and the calls of a trace. Only what a step
// compares: the count per syscall, and the lines naming a call.

/** `strace -c`'s table as syscall → calls ("calls" column), without the total row. */
export function callCounts(summary: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of summary.split('\n')) {
    // "100.00    0.003776           3      1000           clock_gettime" (errors column optional)
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?([a-z_0-9]+)\s*$/.exec(line);
    if (m && m[2] !== 'total') counts.set(m[2] as string, Number(m[1]));
  }
  return counts;
}

/** The syscall number a blocked process is in: the first field of /proc/<pid>/syscall. */
export function syscallNumber(procSyscall: string): number | undefined {
  const first = procSyscall.trim().split(' ')[0];
  return first && /^\d+$/.test(first) ? Number(first) : undefined;
}

/** read(2)'s number on the architectures Node ships for Linux (asm/unistd_64.h, asm-generic). */
export const READ_SYSCALL: Record<string, number | undefined> = {
  x64: 0,
  arm64: 63,
};

/** A Python one-liner that calls `expr` `n` times: for the vDSO counts, one runtime for both. */
export function pythonLoop(expr: string, n: number): string[] {
  return ['-c', `import os, time\nfor _ in range(${n}): ${expr}`];
}

export const PYTHON = '/usr/bin/python3';

/** The lines of a trace that show `syscall` (plain, or `[pid N] ` first when strace -f follows). */
export function callLines(trace: string, syscall: string): string[] {
  const call = new RegExp(`^(\\[pid\\s+\\d+\\] )?${syscall}\\(`);
  return trace.split('\n').filter((l) => call.test(l));
}

/** Of those lines, the ones that name `path` and failed with `errno` (`= -1 ENOENT (…)`). */
export function failedOn(lines: string[], path: string, errno: string): string[] {
  return lines.filter((l) => l.includes(`"${path}"`) && new RegExp(`= -1 ${errno}\\b`).test(l));
}
