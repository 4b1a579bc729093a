// Lab: the customer's order history page, `WHERE customer_id = $1 ORDER BY created_at DESC LIMIT
// 20`. The learner's migration runs against the lab's orders table in a cluster with the demo's
// settings; the claims are those of steps `composite-b`, `ordered-range` and `lookup-vs-scan`, from
// the same EXPLAIN (ANALYZE, BUFFERS) helpers: an index, no Sort node, a lookup's buffers.

import { defineLab } from '../../../kit/lab.ts';
import { treeLevel } from '../../btree.ts';
import { labEnv, ORDERS_TABLE, runSqlFile } from '../../lab-setup.ts';
import { buffers, explain, nodes, type PlanNode, shape } from '../../plan.ts';

const PAGE = 20;
const CUSTOMERS = [42, 737];
const page = (customer: number) =>
  `SELECT * FROM orders WHERE customer_id = ${customer} ORDER BY created_at DESC LIMIT ${PAGE}`;

export const lab = defineLab(import.meta.url, {
  id: 'orders-page',
  title: '20 orders, hundreds of pages',
  task: "A customer's order history page (20 newest orders) reads hundreds of pages though it uses an index: write the migration that makes it a lookup.",
  section: 'a-composite-index-and-its-second-column',
  files: ['migration.sql'],
  needs: ['postgres15-binaries'],
  timeoutMs: 60_000,
  startFails: 'it reads one path down the index, at most 2 more leaves and a heap page per row',
  check: async (t, dir) => {
    const env = await labEnv(t, ORDERS_TABLE);
    await runSqlFile(env.db, `${dir}/migration.sql`);
    await env.db.query('ANALYZE orders');
    const plans: { customer: number; plan: PlanNode; index?: string; bound: number }[] = [];
    for (const customer of CUSTOMERS) {
      // The first plan in a session reads the index's metapage; the one after reads the tree only.
      await env.db.query(page(customer));
      const plan = await explain(env.db, page(customer));
      const index = nodes(plan).find((n) => n['Index Name'])?.['Index Name'];
      const height = index ? (await treeLevel(env, index)).level + 1 : 0;
      plans.push({ customer, plan, index, bound: height + 2 + PAGE });
    }
    const each = (f: (p: (typeof plans)[number]) => string) => plans.map(f).join('; ');
    t.table(
      ['customer', 'plan', 'buffers'],
      plans.map((p) => [p.customer, shape(p.plan), buffers(p.plan)]),
    );
    t.check(
      'the page reads orders through an index, not a sequential scan',
      plans.every((p) => p.index !== undefined && !shape(p.plan).includes('Seq Scan')),
      each((p) => `customer ${p.customer}: ${shape(p.plan)}`),
    );
    t.check(
      'no Sort node: the index hands the rows over already in created_at order',
      plans.every((p) => !nodes(p.plan).some((n) => n['Node Type'] === 'Sort')),
      each((p) => `customer ${p.customer}: ${shape(p.plan)}`),
    );
    t.check(
      `it reads one path down the index, at most 2 more leaves and a heap page per row: ≤ height + 2 + ${PAGE} buffers`,
      plans.every((p) => buffers(p.plan) <= p.bound),
      each(
        (p) =>
          `customer ${p.customer}: ${buffers(p.plan)} buffers (bound ${p.bound}) via ${p.index}`,
      ),
    );
  },
  hints: [
    {
      claim: 'it reads one path down the index',
      ladder: [
        'The page uses an index and returns 20 rows, yet reads far more pages than 20: most of the index entries it walks belong to other customers.',
        'A B-tree is sorted by its first column, then by the next within each value of the first (PostgreSQL docs §11.3 "Multicolumn Indexes"): in an index led by created_at one customer\'s orders are scattered over the whole index, so the scan walks the newest orders of everyone and filters.',
        'Put the column compared with = first and the ORDER BY column after it: (customer_id, created_at). The scan then starts at the customer\'s newest order and reads 20 entries backwards (§11.4 "Indexes and ORDER BY").',
      ],
    },
    {
      claim: 'no Sort node',
      ladder: [
        "The plan sorts: the index finds the customer's orders, but not in created_at order, so all 100 are fetched and sorted to keep 20.",
        'An index scan returns rows in index order; an index on customer_id alone orders them by customer_id only (§11.4 "Indexes and ORDER BY").',
        'Add the ORDER BY column to the index, after the = column: (customer_id, created_at).',
      ],
    },
    {
      claim: 'the page reads orders through an index',
      ladder: [
        'The plan reads the whole table: no index serves WHERE customer_id = … .',
        'Which column does the page compare with a constant, and which does it sort by? An index must lead with the first.',
      ],
    },
    {
      claim: 'your files load and the check runs to its end',
      ladder: [
        'migration.sql did not run: the message above names the statement and what PostgreSQL said.',
        'Only CREATE INDEX, DROP INDEX, ANALYZE and VACUUM belong in it, each ending with `;`.',
      ],
    },
  ],
  wrong: [
    {
      case: 'customer-only',
      fails: 'no Sort node',
      why: "an index on customer_id finds the customer's 100 orders in no useful order: they are fetched and sorted",
    },
    {
      case: 'created-first',
      fails: 'it reads one path down the index',
      why: "led by created_at, the index holds one customer's orders scattered among everyone's: the scan walks and filters",
    },
  ],
});
