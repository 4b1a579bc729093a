// The triage subcommand, run in-process as a user would run it: its JSON, its lines, its bad
// input. It only reads, so it runs against this machine as it is.

import { describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { demo } from './demo.ts';
import type { Finding } from './triage.ts';
import { triageCommand } from './triage-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, argv, [triageCommand], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

const CHECKS = [
  'load',
  'pressure',
  'cpu',
  'D state',
  'memory',
  'disk',
  'inodes',
  'kernel log',
  'ports',
  'units',
];

describe('triage', () => {
  it('--json prints every check once, each with a level, a summary and a command for more', async () => {
    const r = await run('triage', '--json', '--sample', '200');
    expect(r.code).toBe(0);
    const findings = JSON.parse(r.stdout) as Finding[];
    expect(findings.map((f) => f.check)).toEqual(CHECKS);
    for (const f of findings) {
      expect(['ok', 'warn', 'info']).toContain(f.level);
      expect(f.summary.length).toBeGreaterThan(0);
      expect(f.more.length).toBeGreaterThan(0);
    }
  });

  it('prints one line per finding and the command that shows more under it', async () => {
    const r = await run('triage', '--sample', '200');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2 * CHECKS.length);
    expect(lines.filter((l) => /^(OK|WARN|INFO) /.test(l))).toHaveLength(CHECKS.length);
    expect(lines.filter((l) => /^\s+more: /.test(l))).toHaveLength(CHECKS.length);
  });

  it('--help says what it reads and that it changes nothing', async () => {
    const r = await run('triage', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Changes nothing');
  });

  it.each([
    [['--bogus']],
    [['extra']],
    [['--sample', '0']],
    [['--sample', 'x']],
    [['--sample', '99999']],
  ])('bad input %j: one line, exit 2', async (args) => {
    const r = await run('triage', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(/^demos\/debugging: /);
  });
});
