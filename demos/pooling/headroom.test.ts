// The headroom subcommand, run in-process as a user would run it: bad input is one line and exit
// 2; on the shared PostgreSQL it counts its own connection against max_connections.

import { describe, expect, it } from 'vitest';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { serviceEnv } from '../kit/endpoints.ts';
import { requireServices } from '../kit/vitest.ts';
import { demo } from './demo.ts';
import { headroomCommand } from './headroom-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, ['headroom', ...argv], [headroomCommand], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('headroom', () => {
  it.each([
    [[], /give one PostgreSQL URL/],
    [['a', 'b'], /got 2 arguments/],
    [['junk'], /"junk" is not a URL/],
    [['http://x'], /not a postgres:\/\/ or postgresql:\/\/ URL/],
    [['--bogus'], /--bogus/],
    [
      ['postgres://postgres@127.0.0.1:1/postgres'],
      /cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED/,
    ],
  ])('%j: one line, exit 2', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(message);
  });

  it('--help: usage, exit 0', async () => {
    const r = await run('--help');
    expect(r.code).toBe(0);
    expect(r.stdout[0]).toMatch(/^Usage: npx tsx demos\/pooling headroom <postgres-url>/);
  });

  it('counts the connections in use against max_connections, its own included', async (ctx) => {
    await requireServices(ctx, ['postgres']);
    const r = await run(serviceEnv('postgres').PG_URL);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/: \d+ of max_connections \d+ client connections in use/);
    expect(text).toMatch(/kept for superusers .*: an ordinary role can open \d+ more/);
    expect(text).toMatch(/by state: .*\b\d+ active\b/);
  });
});
