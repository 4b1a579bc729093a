// The exit-code and stop-test subcommands, run in-process as a user would run them. stop-test runs
// real commands (node, sleep) and its assertions read what they did, never how long it took.

import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { closeServer, listen } from '../kit/net.ts';
import { demo } from './demo.ts';
import { exitCodeCommand } from './exit-code-command.ts';
import { stopTestCommand } from './stop-test-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, argv, [exitCodeCommand, stopTestCommand], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

const node = process.execPath;

describe('exit-code', () => {
  it.each([
    ['137', /^137: 128 \+ 9: killed by SIGKILL/],
    ['143', /^143: 128 \+ 15: killed by SIGTERM/],
    ['130', /^130: 128 \+ 2: killed by SIGINT/],
    ['0', /^0: success/],
    ['126', /^126: the shell found the command but could not execute it/],
    ['127', /^127: the shell did not find the command/],
    ['255', /^255: exit\(-1\) or exit\(255\)/],
    ['3', /^3: the program's own failure code 3/],
  ])('explains %s', async (n, pattern) => {
    const r = await run('exit-code', n);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(pattern);
  });

  it('says that 137 alone does not prove the OOM killer', async () => {
    expect((await run('exit-code', '137')).stdout).toContain('Reason: OOMKilled');
  });

  it('wraps a status past 255 to what a parent sees', async () => {
    const r = await run('exit-code', '393');
    expect(r.stdout).toContain('a parent sees 393 mod 256 = 137');
    expect(r.stdout).toMatch(/^137: /m);
  });

  it('takes a negative status as exit(-1) would report it', async () => {
    const r = await run('exit-code', '-1');
    expect(r.stdout).toContain('a parent sees -1 mod 256 = 255');
  });

  it.each([[[]], [['abc']], [['1.5']], [['1', '2']], [['--bogus']]])(
    'bad input %j: one line, exit 2',
    async (args) => {
      const r = await run('exit-code', ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toHaveLength(1);
    },
  );

  it('has --help', async () => {
    const r = await run('exit-code', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npx tsx demos/signals exit-code <n>');
  });
});

describe('stop-test', () => {
  it('exit 0 for a process whose TERM handler exits, and says it handled TERM', async () => {
    const script =
      'process.on("SIGTERM", () => process.exit(0)); console.log("up"); setInterval(() => {}, 1000)';
    const r = await run('stop-test', '--ready', '^up', '--', node, '-e', script);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ready: its output matched /^up/');
    expect(r.stdout).toContain('exit code 0 (status 0)');
    expect(r.stdout).toContain('it handled TERM');
  });

  it('exit 0 for a process TERM ends by its default action, saying it had no handler', async () => {
    const r = await run('stop-test', '--after', '0', '--', 'sleep', '30');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('killed by SIGTERM (status 143)');
    expect(r.stdout).toContain('no TERM handler');
  });

  it('exit 1 when the process ignores TERM and needs KILL after the grace period', async () => {
    const script =
      'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)';
    const r = await run('stop-test', '--ready', 'up', '--grace', '0.3', '--', node, '-e', script);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('KILL sent');
    expect(r.stdout).toContain('killed by SIGKILL (status 137)');
  });

  it('exit 1 when the process exits before TERM', async () => {
    const r = await run('stop-test', '--ready', 'never', '--', node, '-e', 'console.log("bye")');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('exited before TERM was sent: exit code 0');
  });

  it('kills what the command left running in its process group', async () => {
    // Ready only once the background child exists: TERM at once could beat the fork.
    const script = 'sleep 30 & echo forked; exec sleep 30';
    const r = await run('stop-test', '--ready', 'forked', '--', 'sh', '-c', script);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 process(es) of its group outlived it: killed');
  });

  it('sends TERM once a URL answers when --ready is a URL', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    const port = await listen(server);
    try {
      const url = `http://127.0.0.1:${port}/`;
      const r = await run('stop-test', '--ready', url, '--', 'sleep', '30');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`ready: ${url} answered`);
    } finally {
      await closeServer(server);
    }
  });

  it.each([
    [[]],
    [['--']],
    [['--after', '1', '--ready', 'x', '--', 'true']],
    [['--grace', 'soon', '--', 'true']],
    [['--after', '-1', '--', 'true']],
    [['--ready', '(', '--', 'true']],
    [['--', 'no-such-command-here']],
    [['--bogus', '--', 'true']],
  ])('bad input %j: one line, exit 2', async (args) => {
    const r = await run('stop-test', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
  });

  it('has --help', async () => {
    const r = await run('stop-test', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npx tsx demos/signals stop-test');
  });
});
