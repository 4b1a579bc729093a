import { describe, expect, it } from 'vitest';
import { UsageError } from '../kit/args.ts';
import { captureIO } from '../kit/capture.ts';
import { runCli } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { innodbWaitingThreads } from './engines.ts';
import { ANOMALIES, expectedLevels } from './expectations.ts';
import { matrixCommand, parseMatrixArgs } from './matrix-command.ts';
import type { Run } from './runner.ts';
import { SCENARIOS } from './scenarios.ts';
import { renderTimeline, wrapTo } from './timeline.ts';

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

  it('every anomaly has a scenario, and every scenario statement names one of its sessions', () => {
    for (const a of ANOMALIES) expect(SCENARIOS.map((s) => s.id)).toContain(a.id);
    for (const sc of SCENARIOS) {
      for (const op of sc.ops) expect(sc.sessions).toContain(op.s);
    }
  });

  it('the note claims snapshot isolation changes MariaDB RR only for stale writes', () => {
    const changed = ANOMALIES.map((a) => a.id).filter(
      (id) =>
        expectedLevels('mariadb', id, true).join() !== expectedLevels('mariadb', id, false).join(),
    );
    expect(changed).toEqual(['PMP-write', 'P4', 'G-single-write']);
  });

  it('wraps long cells and keeps a three-column timeline within 100 columns', () => {
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
    const lines = renderTimeline(run, ['A', 'B', 'C']);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(97);
    expect(lines.join('\n')).toContain('⏸ blocks');
    expect(lines.join('\n')).toContain('↳ unblocked → 1=>10');
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
      engines: ['mariadb'],
      url: undefined,
      json: true,
    });
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

  it('measures a real matrix and prints it as JSON (every anomaly at every level)', async () => {
    const io = captureIO();
    expect(await matrixCommand.run(['--engine', 'mariadb', '--json'], io)).toBe(0);
    const { results } = JSON.parse(io.stdout.join('\n')) as {
      results: { anomaly: string; level: string; occurs: boolean }[];
    };
    expect(results).toHaveLength(ANOMALIES.length * 4);
    const at = (a: string, l: string) => results.find((r) => r.anomaly === a && r.level === l);
    expect(at('G1a', 'READ UNCOMMITTED')?.occurs).toBe(true);
    expect(at('G2-item', 'SERIALIZABLE')?.occurs).toBe(false);
  });
});
