// Running the tools a person would type (strace, ss, lsof, tcpdump, tshark, df): one call that
// waits for the exit and returns what the tool printed, never throwing on a non-zero status, since
// a tool's failure is often the very thing a step shows.

import { execFile } from 'node:child_process';

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `command args` to its end (killed after `timeoutMs`) and returns its status and output. */
export function run(
  command: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        timeout: options.timeoutMs ?? 20_000,
        maxBuffer: 16 << 20,
        env: options.env ?? process.env,
        cwd: options.cwd,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: unknown }) | null;
        resolve({
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: (e?.signal as NodeJS.Signals | undefined) ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
        });
      },
    );
  });
}

/** The output's lines, without empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** The first line of `command --version` (or of `args`), for the stack line. */
export async function toolVersion(command: string, args = ['--version']): Promise<string> {
  const r = await run(command, args, { timeoutMs: 5000 });
  const first = lines(`${r.stdout}\n${r.stderr}`).find((l) => /\d+\.\d+/.test(l)) ?? '';
  return /\d+\.\d+(?:\.\d+)?/.exec(first)?.[0] ?? 'unknown';
}
