// The lag subcommand, run in-process as a user would run it: bad input is one line and exit 2;
// on the service's primary it names the streaming standby.

import { describe, expect, it } from 'vitest';
import { STANDBY_NAME } from '../../services/replication-native.ts';
import { commandRunner, ONE_POSTGRES_URL, usageTests } from '../kit/command-tests.ts';
import { serviceEnv } from '../kit/endpoints.ts';
import { requireServices } from '../kit/vitest.ts';
import { demo } from './demo.ts';
import { lagCommand } from './lag-command.ts';

const run = commandRunner(demo, lagCommand);

describe('lag', () => {
  usageTests(run, ONE_POSTGRES_URL, /^Usage: npx tsx demos\/replication lag <postgres-url>/);

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
