import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../kit/args.ts';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { endpoints } from '../kit/endpoints.ts';
import { figureLines } from '../kit/figures.ts';
import { requireServices } from '../kit/vitest.ts';
import { ANOMALIES, TESTS } from './anomalies.ts';
import { demo } from './demo.ts';
import { innodbWaitingThreads } from './engines.ts';
import { closeEnv, openServers } from './env.ts';
import { matrixCommand, parseMatrixArgs } from './matrix-command.ts';
import type { Run } from './runner.ts';
import { timelineFigure, wrapTo } from './show.ts';

const STATUS = `LIST OF TRANSACTIONS FOR EACH SESSION:
---TRANSACTION 40, ACTIVE 0 sec starting index read
mysql tables in use 1, locked 1
LOCK WAIT 2 lock struct(s), heap size 1128, 1 row lock(s)
MariaDB thread id 16, OS thread handle 1404, query id 42 127.0.0.1 root Updating
update zz set value=12 where id=1
------- TRX HAS BEEN WAITING 400845 us FOR THIS LOCK TO BE GRANTED:
---TRANSACTION 39, ACTIVE 1 sec
2 lock struct(s), heap size 1128, 1 row lock(s), undo log entries 1
MariaDB thread id 15, OS thread handle 1404, query id 39 127.0.0.1 root User sleep
--------
FILE I/O`;

describe('isolation helpers', () => {
  it('finds the waiting thread in SHOW ENGINE INNODB STATUS, not the lock holder', () => {
    expect(innodbWaitingThreads(STATUS)).toEqual([16]);
    expect(innodbWaitingThreads(STATUS.replace(/LOCK WAIT |TRX HAS BEEN WAITING/g, ''))).toEqual(
      [],
    );
  });

  it('every anomaly record has its step, and every statement names one of its sessions', () => {
    const ids = demo.steps.map((s) => s.id);
    for (const a of ANOMALIES) expect(ids).toContain(a.id.toLowerCase());
    for (const x of TESTS) {
      for (const op of x.ops) expect(x.sessions).toContain(op.s);
    }
  });

  it('the records say snapshot isolation changes MariaDB RR only for stale writes', () => {
    const changed = TESTS.filter((x) => x.expect.mariadb[2] !== x.expect.mariadbSnapshotRR);
    expect(changed.map((x) => x.id)).toEqual(['PMP-write', 'P4', 'P4-incr', 'G-single-write']);
  });

  it('wraps long statements and keeps a three-lane timeline within 96 columns', () => {
    expect(wrapTo('aaaa bbbb cccc', 9)).toEqual(['aaaa bbbb', 'cccc']);
    expect(wrapTo('x'.repeat(12), 5)).toEqual(['xxxxx', 'xxxxx', 'xx']);
    const run = {
      timeline: [
        { s: 'A', sql: 'UPDATE test SET value = 11 WHERE id = 1 AND value = 10' },
        { s: 'B', sql: 'SELECT * FROM test', blocked: true },
        {
          s: 'C',
          sql: 'COMMIT',
          outcome: { kind: 'error', code: '40001', message: 'm '.repeat(60), trxGone: false },
        },
        { s: 'B', resumed: true, outcome: { kind: 'rows', rows: [{ id: 1, value: 10 }] } },
      ],
    } as unknown as Run;
    const figure = timelineFigure(run.timeline, ['A', 'B', 'C'], 'three lanes');
    const lines = figureLines(figure);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(96);
    expect(figure.rows.find((r) => r.mark === 'blocked')?.lane).toBe(1);
    expect(figure.rows.find((r) => r.mark === 'refused')?.result).toBe('ERROR 40001');
    expect(lines.join('\n')).toContain('↳ resumes → 1=>10');
  });
});

describe('isolation tables in shared servers', () => {
  it("drops a dead run's table when it opens the server, and counts it", async (ctx) => {
    await requireServices(ctx, ['mariadb']);
    const stale = `wn_isolation_${Math.floor(Date.now() / 1000) - 3600}_999999_beef`;
    const url = endpoints.mariadbUrl;
    const conn = await mysql.createConnection({ uri: url });
    await conn.query(`CREATE TABLE IF NOT EXISTS ${stale} (id int)`);
    const env = await openServers([{ service: 'mariadb', kind: 'mariadb', url }], () => undefined);
    const [mine] = env.servers.map((s) => s.table);
    await closeEnv(env);
    const [left] = await conn.query(`SHOW TABLES LIKE 'wn\\_isolation\\_%'`);
    await conn.end();
    expect(env.swept).toEqual([{ label: expect.stringMatching(/^MariaDB /), count: 1 }]);
    const names = (left as Record<string, string>[]).map((r) => Object.values(r)[0]);
    expect(names).not.toContain(stale);
    expect(names).not.toContain(mine);
  });
});

describe('isolation matrix subcommand', () => {
  it('rejects bad input with a UsageError', () => {
    expect(() => parseMatrixArgs(['--engine', 'oracle'])).toThrow(UsageError);
    expect(() => parseMatrixArgs(['--url', 'postgres://x@h/db'])).toThrow(/needs --engine/);
    expect(() => parseMatrixArgs(['--engine', 'postgres', '--url', 'nope'])).toThrow(/not a URL/);
    expect(() =>
      parseMatrixArgs(['--engine', 'postgres', '--url', 'mysql://root@127.0.0.1/test']),
    ).toThrow(/postgres: or postgresql:/);
    expect(parseMatrixArgs(['--engine', 'mariadb', '--json'])).toEqual({
      kinds: ['mariadb'],
      url: undefined,
      json: true,
    });
  });

  it('answers --help with its usage, exit 0', async () => {
    const io = captureIO();
    expect(await matrixCommand.run(['--help'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^Usage: npx tsx demos\/isolation matrix /);
  });

  it('exits 2 with one line for an unknown flag', async () => {
    const io = captureIO();
    expect(await runCli(demo as never, ['matrix', '--bogus'], [matrixCommand], io)).toBe(2);
    expect(io.stderr).toHaveLength(1);
    expect(io.stderr[0]).toMatch(/bogus/);
  });

  it('exits 2 naming the database when it cannot connect', async () => {
    const io = captureIO();
    const argv = ['--engine', 'postgres', '--url', 'postgres://postgres@127.0.0.1:1/postgres'];
    expect(await matrixCommand.run(argv, io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/postgres at 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('measures a real matrix and prints it as JSON (every test at every level)', async (ctx) => {
    await requireServices(ctx, ['mariadb']);
    const io = captureIO();
    const argv = ['--engine', 'mariadb', '--url', endpoints.mariadbUrl, '--json'];
    expect(await matrixCommand.run(argv, io)).toBe(0);
    const { results } = JSON.parse(io.stdout.join('\n')) as {
      results: { anomaly: string; level: string; occurs: boolean; cell: string }[];
    };
    expect(results).toHaveLength(TESTS.length * 4);
    const at = (a: string, l: string) => results.find((r) => r.anomaly === a && r.level === l);
    expect(at('G1a', 'READ UNCOMMITTED')?.occurs).toBe(true);
    expect(at('G2-item', 'SERIALIZABLE')?.cell).toBe('1213');
  });
});
