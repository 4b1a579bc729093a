// A CliIO that records what a command printed, for tests that run commands in-process.

import type { CliIO } from './cli.ts';
import { makeStyle } from './style.ts';

export function captureIO(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    style: makeStyle(false),
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    stdout,
    stderr,
  };
}
