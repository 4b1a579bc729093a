// When an index is not the answer: a condition most rows satisfy is cheaper as a sequential
// scan, an index on a column does not serve an expression on it (a functional index does), and
// every index is written on every insert.

import type pg from 'pg';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { explain, nodes, shape } from './plan.ts';

export const selectivityStep = step<Env>(
  {
    id: 'selectivity',
    section: 'when-the-planner-skips-an-index',
    title: 'A condition most rows meet is a sequential scan, even with an index',
  },
  async (t, env) => {
    const few = await explain(env.db, 'SELECT * FROM t1m WHERE a = 5');
    const most = await explain(env.db, 'SELECT * FROM t1m WHERE a < 900');
    t.table(
      ['condition on a (leading column of t1m_ab)', 'rows', 'plan'],
      [
        ['a = 5 (0.1% of rows)', few['Actual Rows'], shape(few)],
        ['a < 900 (90% of rows)', most['Actual Rows'], shape(most)],
      ],
    );
    t.check('0.1% of the rows: the planner uses t1m_ab', shape(few).includes('t1m_ab'), shape(few));
    t.equal(
      '90% of the rows: the planner reads the table sequentially instead',
      shape(most),
      'Seq Scan on t1m',
    );
  },
);

export const functionalStep = step<Env>(
  {
    id: 'functional',
    section: 'an-expression-needs-an-index-on-the-expression',
    title: 'lower(pad) ignores an index on pad; an index on lower(pad) serves it',
  },
  async (t, env) => {
    t.defer(() => env.db.query('DROP INDEX IF EXISTS t1m_pad, t1m_lower_pad'));
    const sql = "SELECT * FROM t1m WHERE lower(pad) = 'row 12345'";
    await env.db.query('CREATE INDEX t1m_pad ON t1m (pad)');
    const onColumn = await explain(env.db, sql);
    const exact = await explain(env.db, "SELECT * FROM t1m WHERE pad = 'row 12345'");
    await env.db.query('CREATE INDEX t1m_lower_pad ON t1m (lower(pad))');
    await env.db.query('ANALYZE t1m');
    const onExpression = await explain(env.db, sql);
    t.table(
      ['indexes', 'query', 'plan'],
      [
        ['t1m_pad (pad)', "pad = 'row 12345'", shape(exact)],
        ['t1m_pad (pad)', "lower(pad) = 'row 12345'", shape(onColumn)],
        ['+ t1m_lower_pad (lower(pad))', "lower(pad) = 'row 12345'", shape(onExpression)],
      ],
    );
    t.check("an index on pad serves pad = '…'", shape(exact).includes('t1m_pad'), shape(exact));
    t.check(
      "but not lower(pad) = '…': no index in the plan",
      !nodes(onColumn).some((n) => n['Index Name']),
      shape(onColumn),
    );
    t.check(
      'an index on the expression lower(pad) does',
      shape(onExpression).includes('t1m_lower_pad'),
      shape(onExpression),
    );
  },
);

/** WAL bytes and buffers dirtied by inserting `rows` rows into `table`. */
async function insertCost(db: pg.Client, table: string, rows: number) {
  const lsn = async () =>
    (await db.query<{ l: string }>('SELECT pg_current_wal_insert_lsn()::text AS l')).rows[0]?.l;
  const from = await lsn();
  const plan = await explain(
    db,
    `INSERT INTO ${table} SELECT g, g % 1000, g % 997, 'row ' || g FROM generate_series(1, ${rows}) g`,
  );
  const to = await lsn();
  const { rows: wal } = await db.query<{ b: string }>('SELECT pg_wal_lsn_diff($1, $2) AS b', [
    to,
    from,
  ]);
  return { wal: Number(wal[0]?.b), dirtied: plan['Shared Dirtied Blocks'] ?? 0 };
}

const INSERTED = 10_000;

export const writeCostStep = step<Env>(
  {
    id: 'write-cost',
    section: 'what-an-index-costs-on-write',
    title: 'What each index costs an INSERT',
  },
  async (t, env) => {
    const tables = ['w0', 'w3'];
    t.defer(() => env.db.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`));
    for (const name of tables) {
      await env.db.query(`DROP TABLE IF EXISTS ${name}`);
      await env.db.query(`CREATE TABLE ${name} (id int, a int, b int, pad text)`);
    }
    for (const column of ['id', 'a', 'pad']) await env.db.query(`CREATE INDEX ON w3 (${column})`);
    const none = await insertCost(env.db, 'w0', INSERTED);
    const three = await insertCost(env.db, 'w3', INSERTED);
    t.table(
      [`INSERT of ${INSERTED} rows`, 'WAL bytes per row', 'buffers dirtied'],
      [
        ['no index', (none.wal / INSERTED).toFixed(1), none.dirtied],
        ['3 indexes', (three.wal / INSERTED).toFixed(1), three.dirtied],
      ],
    );
    t.check(
      'with 3 indexes the same insert writes more than twice the WAL: each index gets its own entry per row',
      three.wal > 2 * none.wal,
      `${three.wal} vs ${none.wal} bytes`,
    );
    t.check(
      'and dirties more pages: the heap pages plus every index’s leaf pages',
      three.dirtied > none.dirtied,
      `${three.dirtied} vs ${none.dirtied}`,
    );
  },
);
