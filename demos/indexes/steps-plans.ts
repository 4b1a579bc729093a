// Which index a query can use, read from the plan: an ordered range without a Sort node, and an
// index-only scan that still reads the heap until VACUUM has marked the pages all-visible.

import { step } from '../kit/define.ts';
import { pages } from './btree.ts';
import type { Env } from './env.ts';
import { explain, nodes, type PlanNode, shape, withSettings } from './plan.ts';

export const orderedStep = step<Env>(
  {
    id: 'ordered-range',
    section: 'an-ordered-range-needs-no-sort',
    title: 'An ordered range comes out of the index sorted',
  },
  async (t, env) => {
    const byId = await explain(
      env.db,
      'SELECT id, a FROM t1m WHERE id BETWEEN 1000 AND 2000 ORDER BY id',
    );
    const byA = await explain(
      env.db,
      'SELECT id, a FROM t1m WHERE id BETWEEN 1000 AND 2000 ORDER BY a',
    );
    const types = (p: PlanNode) => nodes(p).map((n) => n['Node Type']);
    t.table(
      ['ORDER BY', 'plan'],
      [
        ['id (the indexed column)', shape(byId)],
        ['a (not the index order)', shape(byA)],
      ],
    );
    t.check(
      'ORDER BY id over an id range: the index scan returns rows in key order, no Sort node',
      !types(byId).includes('Sort') && shape(byId).includes('using t1m_id'),
      shape(byId),
    );
    t.check(
      'ORDER BY a over the same rows needs a Sort node',
      types(byA).includes('Sort'),
      shape(byA),
    );
  },
);

/** The Index Only Scan node of a plan. */
export function indexOnly(plan: PlanNode): PlanNode | undefined {
  return nodes(plan).find((n) => n['Node Type'] === 'Index Only Scan');
}

export const indexOnlyStep = step<Env>(
  {
    id: 'index-only',
    section: 'index-only-scans-and-the-visibility-map',
    title: 'An index-only scan reads the heap until VACUUM sets the visibility map',
  },
  async (t, env) => {
    await env.db.query('DROP TABLE IF EXISTS v');
    t.defer(() => env.db.query('DROP TABLE IF EXISTS v'));
    await env.db.query(
      'CREATE TABLE v (id int NOT NULL, pad text) WITH (autovacuum_enabled = off)',
    );
    await env.db.query("INSERT INTO v SELECT g, 'row ' || g FROM generate_series(1, 100000) g");
    await env.db.query('CREATE INDEX v_id ON v (id)');
    await env.db.query('ANALYZE v');
    const sql = 'SELECT id FROM v WHERE id BETWEEN 1000 AND 1999';
    const measure = async (state: string) => {
      const plan = await withSettings(
        env.db,
        { enable_seqscan: 'off', enable_bitmapscan: 'off' },
        () => explain(env.db, sql),
      );
      const { rows } = await env.db.query<{ all_visible: string }>(
        "SELECT all_visible FROM pg_visibility_map_summary('v')",
      );
      return {
        state,
        node: indexOnly(plan),
        visible: Number(rows[0]?.all_visible),
      };
    };
    const before = await measure('after INSERT + ANALYZE');
    await env.db.query('VACUUM v');
    const vacuumed = await measure('after VACUUM v');
    await env.db.query("UPDATE v SET pad = 'changed' WHERE id = 1500");
    const updated = await measure('after UPDATE … WHERE id = 1500');
    const heap = await pages(env, 'v');
    const all = [before, vacuumed, updated];
    t.table(
      ['state', 'all-visible pages (pg_visibility_map_summary)', 'plan', 'Heap Fetches'],
      all.map((m) => [
        m.state,
        `${m.visible} / ${heap}`,
        m.node ? 'Index Only Scan using v_id' : 'no index-only scan',
        m.node?.['Heap Fetches'],
      ]),
    );
    t.equal(
      'before VACUUM no page is all-visible, so the index-only scan fetches every one of the 1000 rows from the heap',
      { visible: before.visible, fetches: before.node?.['Heap Fetches'] },
      { visible: 0, fetches: 1000 },
    );
    t.equal(
      'after VACUUM every page is all-visible: Heap Fetches 0',
      { visible: vacuumed.visible, fetches: vacuumed.node?.['Heap Fetches'] },
      { visible: heap, fetches: 0 },
    );
    const fetches = updated.node?.['Heap Fetches'] ?? -1;
    t.check(
      'an UPDATE clears the bit of the pages it touched: only rows on those pages are fetched (0 < Heap Fetches < 1000)',
      updated.visible < heap && fetches > 0 && fetches < 1000,
      `${updated.visible} all-visible, ${fetches} heap fetches`,
    );
  },
);
