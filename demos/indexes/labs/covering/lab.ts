// Lab: the daily revenue report after the nightly load, as an index-only scan. The learner's
// migration runs on the lab's orders table, then the load inserts a day, then the learner's
// after-load statements; the claims are step `index-only`'s, from the same EXPLAIN (ANALYZE,
// BUFFERS) helpers: an Index Only Scan, and Heap Fetches 0 once the visibility map is set.

import { defineLab } from '../../../kit/lab.ts';
import { labEnv, ORDERS, ORDERS_TABLE, runSqlFile } from '../../lab-setup.ts';
import { explain, shape } from '../../plan.ts';
import { indexOnly } from '../../steps-plans.ts';

const DAY_ROWS = 1440;
const DAY = "created_at >= '2026-06-01 00:00+00' AND created_at < '2026-06-02 00:00+00'";
const REPORT = `SELECT sum(total), count(*) FROM orders WHERE ${DAY}`;
/** The nightly load: one order a minute for the day, after the history's ids. */
const LOAD = `INSERT INTO orders SELECT ${ORDERS} + g, g % 1000, timestamptz '2026-06-01 00:00+00' + (g - 1) * interval '1 minute', (g * 3.17) % 1000, 'paid' FROM generate_series(1, ${DAY_ROWS}) g`;

export const lab = defineLab(import.meta.url, {
  id: 'covering',
  title: 'A report that reads only the index',
  task: "The daily revenue report, run right after the nightly load, visits the table for each of the day's orders: make it an index-only scan that fetches nothing from the table.",
  section: 'index-only-scans-and-the-visibility-map',
  files: ['migration.sql', 'after-load.sql'],
  needs: ['postgres15-binaries'],
  timeoutMs: 60_000,
  startFails: 'the report is an Index Only Scan',
  check: async (t, dir) => {
    const env = await labEnv(t, ORDERS_TABLE);
    await runSqlFile(env.db, `${dir}/migration.sql`);
    await env.db.query(LOAD);
    await runSqlFile(env.db, `${dir}/after-load.sql`);
    const { rows: report } = await env.db.query<{ count: string }>(REPORT);
    const plan = await explain(env.db, REPORT);
    const scan = indexOnly(plan);
    const { rows } = await env.db.query<{ visible: number; pages: number }>(
      "SELECT all_visible::int AS visible, (pg_relation_size('orders') / current_setting('block_size')::int)::int AS pages FROM pg_visibility_map_summary('orders')",
    );
    const map = `${rows[0]?.visible} of ${rows[0]?.pages} heap pages all-visible (pg_visibility_map_summary)`;
    t.show('plan', shape(plan));
    t.check('the report is an Index Only Scan', scan !== undefined, shape(plan));
    t.check(
      "Heap Fetches 0: the pages of the day's orders are all-visible, so none is read",
      scan?.['Heap Fetches'] === 0,
      `${scan ? `Heap Fetches ${scan['Heap Fetches']}` : 'no Index Only Scan'}; ${map}`,
    );
    t.equal(`it counts the day's ${DAY_ROWS} orders`, Number(report[0]?.count), DAY_ROWS);
  },
  hints: [
    {
      claim: 'the report is an Index Only Scan',
      ladder: [
        "The report finds the day's rows in an index, then reads every one of them from the table: the index lacks a column the report needs.",
        'An index-only scan is possible only when every column the query uses is in the index (PostgreSQL docs §11.9 "Index-Only Scans and Covering Indexes"). The report reads created_at and total.',
        'Carry total in the index without making it part of the key: `CREATE INDEX … ON orders (created_at) INCLUDE (total)`.',
      ],
    },
    {
      claim: 'Heap Fetches 0',
      ladder: [
        "The plan is an Index Only Scan, yet it fetched the day's rows from the table (Heap Fetches).",
        'An index holds no visibility information: for each entry the scan checks the visibility map, and reads the heap page unless that page is marked all-visible (§11.9; §73.4 "Visibility Map"). The rows the load has just inserted are on pages nobody has marked yet.',
        'VACUUM sets those marks (ANALYZE does not): run `VACUUM (ANALYZE) orders` after the load. Autovacuum would do it too, but later than the report runs.',
      ],
    },
    {
      claim: 'it counts the day',
      ladder: ["The report did not count the day's 1440 orders: does an index leave rows out?"],
    },
    {
      claim: 'your files load and the check runs to its end',
      ladder: [
        'A SQL file did not run: the message above names the file, the statement and what PostgreSQL said.',
        'Only CREATE INDEX, DROP INDEX, ANALYZE and VACUUM belong in them, each ending with `;`.',
      ],
    },
  ],
  wrong: [
    {
      case: 'include-only',
      fails: 'Heap Fetches 0',
      why: "the covering index is right, but the day's new pages are not all-visible until VACUUM: every row is fetched",
    },
    {
      case: 'vacuum-only',
      fails: 'the report is an Index Only Scan',
      why: 'the visibility map is set, but total is not in the index: each row is still read from the table',
    },
  ],
});
