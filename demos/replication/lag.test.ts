// The lag subcommand, run in-process as a user would run it: bad input is one line and exit 2;
// on the service's primary it names the streaming standby.

import { describe, expect, it } from 'vitest';
import { STANDBY_NAME } from '../../services/replication-native.ts';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { serviceEnv } from '../kit/endpoints.ts';
import { requireServices } from '../kit/vitest.ts';
import { demo } from './demo.ts';
import { lagCommand } from './lag-command.ts';

async function run(...argv: string[]) {
  const io = captureIO();
  const code = await runCli(demo, ['lag', ...argv], [lagCommand], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('lag', () => {
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
    expect(r.stdout[0]).toMatch(/^Usage: npx tsx demos\/replication lag <postgres-url>/);
  });

  it("names the service's standby as streaming", async (ctx) => {
    await requireServices(ctx, ['replication']);
    const r = await run(serviceEnv('replication').PG_PRIMARY_URL);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/is a primary; its standbys:\n/);
    // Another run's throwaway standbys may be listed too; the service's own has its own name.
    expect(text).toMatch(new RegExp(`^ {2}${STANDBY_NAME} from .*: streaming`, 'm'));
  });
});
