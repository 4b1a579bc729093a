// The check subcommand, run in-process as a user would run it: bad input is one line and exit 2;
// on the shared PostgreSQL (which does not archive) it says archiving is off.

import { describe, expect, it } from 'vitest';
import { commandRunner, ONE_POSTGRES_URL, usageTests } from '../kit/command-tests.ts';
import { serviceEnv } from '../kit/endpoints.ts';
import { requireServices } from '../kit/vitest.ts';
import { checkCommand } from './check-command.ts';
import { demo } from './demo.ts';

const run = commandRunner(demo, checkCommand);

describe('check', () => {
  usageTests(run, ONE_POSTGRES_URL, /^Usage: npx tsx demos\/backups check <postgres-url>/);

  it('reads wal_level and the archiver of the shared server', async (ctx) => {
    await requireServices(ctx, ['postgres']);
    const r = await run(serviceEnv('postgres').PG_URL);
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/wal_level = \w+/);
    expect(text).toMatch(/archiving is (on|OFF)/);
    expect(text).toMatch(/archiving (attempts FAILED|failures)/);
  });
});
