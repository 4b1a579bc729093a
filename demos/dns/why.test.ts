// The `why` subcommand, run in-process as a user would run it. Only address literals: a name
// would be resolved by this machine's resolver, which the tests never use (the demo's steps
// resolve names only through the resolver they start in their own namespace).

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { closeServer, freePort, listen } from '../kit/net.ts';
import { demo } from './demo.ts';
import { whyCommand } from './why-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, argv, [whyCommand], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr };
}

describe('why', () => {
  it('connects to a listening port and says each stage passed', async () => {
    const server = createServer((s) => s.destroy());
    const port = await listen(server);
    try {
      const r = await run('why', `127.0.0.1:${port}`);
      expect(r.stdout).toMatch(/^name ok +127\.0\.0\.1 is an address: no lookup$/m);
      expect(r.stdout).toMatch(
        new RegExp(`^tcp  ok +connected to 127\\.0\\.0\\.1:${port} in`, 'm'),
      );
      expect(r.code).toBe(0);
    } finally {
      await closeServer(server);
    }
  });

  it('decodes a refused connection and exits 1', async () => {
    const port = await freePort();
    const r = await run('why', `127.0.0.1:${port}`);
    expect(r.stdout).toMatch(
      /^tcp {2}FAIL connect ECONNREFUSED 127\.0\.0\.1:\d+ after \d+ ms: ECONNREFUSED: the SYN/m,
    );
    expect(r.code).toBe(1);
  });

  it('takes a bracketed IPv6 address', async () => {
    const port = await freePort('::1');
    const r = await run('why', `[::1]:${port}`);
    expect(r.stdout).toMatch(/^name ok +::1 is an address/m);
    expect(r.stdout).toMatch(/ECONNREFUSED ::1:\d+/);
  });

  it.each([
    [[]],
    [['bad host']],
    [['a:0']],
    [['a:70000']],
    [['[zz]:1']],
    [['a', 'b']],
    [['a', '--timeout', 'x']],
    [['--bogus']],
  ])('bad input %j: one line, exit 2', async (args) => {
    const r = await run('why', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
  });

  it('has --help', async () => {
    const r = await run('why', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: npx tsx demos/dns why');
  });
});
