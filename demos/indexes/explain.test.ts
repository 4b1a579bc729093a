// The explain subcommand, run in-process as a user would run it: bad input is one line and exit
// 2; on the shared PostgreSQL it explains a query, and refuses a write without running it.

import { describe, expect, it } from 'vitest';
import { commandRunner, usageTests } from '../kit/command-tests.ts';
import { serviceEnv } from '../kit/endpoints.ts';
import { requireServices } from '../kit/vitest.ts';
import { demo } from './demo.ts';
import { explainCommand } from './explain-command.ts';

const run = commandRunner(demo, explainCommand);

describe('explain', () => {
  usageTests(
    run,
    [
      [[], /give a PostgreSQL URL and one SQL statement; got 0/],
      [['postgres://x@127.0.0.1/db'], /got 1 arguments/],
      [['junk', 'SELECT 1'], /"junk" is not a URL/],
      [['http://x', 'SELECT 1'], /not a postgres:\/\/ or postgresql:\/\/ URL/],
      [['postgres://x@127.0.0.1/db', ' '], /the SQL statement is empty/],
      [
        ['postgres://postgres@127.0.0.1:1/postgres', 'SELECT 1'],
        /cannot connect to 127\.0\.0\.1:1: .*ECONNREFUSED/,
      ],
    ],
    /^Usage: npx tsx demos\/indexes explain <postgres-url> <sql>/,
  );

  it('explains a query on a catalog table, with its indexes', async (ctx) => {
    await requireServices(ctx, ['postgres']);
    const r = await run(
      serviceEnv('postgres').PG_URL,
      "SELECT relname FROM pg_class WHERE relname = 'pg_class'",
    );
    expect(r.code).toBe(0);
    const text = r.stdout.join('\n');
    expect(text).toMatch(/^plan \(executed, then rolled back/);
    expect(text).toMatch(/\d+ rows, \d+ buffers/);
    expect(text).toMatch(/^indexes of pg_class:/m);
    expect(text).toMatch(/pg_class_relname_nsp_index/);
  });

  it('refuses a write (read-only transaction) and a second statement', async (ctx) => {
    await requireServices(ctx, ['postgres']);
    const url = serviceEnv('postgres').PG_URL;
    const write = await run(url, 'UPDATE pg_database SET datallowconn = datallowconn WHERE false');
    expect(write.code).toBe(2);
    expect(write.stderr[0]).toMatch(/refused it: 25006 /);
    const two = await run(url, 'SELECT 1; COMMIT');
    expect(two.code).toBe(2);
    expect(two.stderr[0]).toMatch(/refused it: 42601 .*multiple commands/);
  });
});
