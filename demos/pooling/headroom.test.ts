// The headroom subcommand, run in-process as a user would run it: bad input is one line and exit
// 2; on the shared PostgreSQL it counts its own connection against max_connections.

import { describe, expect, it } from 'vitest';
import { commandRunner, ONE_POSTGRES_URL, usageTests } from '../kit/command-tests.ts';
import { serviceEnv } from '../kit/endpoints.ts';
import { requireServices } from '../kit/vitest.ts';
import { demo } from './demo.ts';
import { headroomCommand } from './headroom-command.ts';

const run = commandRunner(demo, headroomCommand);

describe('headroom', () => {
  usageTests(run, ONE_POSTGRES_URL, /^Usage: npx tsx demos\/pooling headroom <postgres-url>/);

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
