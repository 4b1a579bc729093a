// The B-tree itself, read with pageinspect: the metapage names the root and the tree's level,
// every page belongs to one level, internal pages hold separator keys with downlinks to the level
// below, leaves hold keys with heap tuple ids. Then what a lookup costs against a full scan,
// counted in buffers from EXPLAIN (ANALYZE, BUFFERS), not in time.

import { step } from '../kit/define.ts';
import { levelCounts, pages, treeLevel } from './btree.ts';
import { type Env, ROWS } from './env.ts';
import { buffers, explain, shape, withSettings } from './plan.ts';

/** A page's items: its downlink or heap tuple id (ctid) and its key (an int4, little-endian). */
async function items(env: Env, block: number): Promise<{ ctid: string; key: number | null }[]> {
  const { rows } = await env.db.query<{ ctid: string; data: string }>(
    "SELECT ctid::text, data FROM bt_page_items('t1m_id', $1) ORDER BY itemoffset",
    [block],
  );
  return rows.map((r) => {
    const bytes = r.data.split(' ').filter(Boolean).slice(0, 4).reverse().join('');
    return { ctid: r.ctid, key: bytes ? Number.parseInt(bytes, 16) : null };
  });
}

const childBlock = (ctid: string) => Number(/^\((\d+),/.exec(ctid)?.[1]);

export const treeStep = step<Env>(
  {
    id: 'tree-shape',
    section: 'the-shape-of-a-b-tree',
    title: `The B-tree of ${ROWS.toLocaleString('en')} integer keys, page by page`,
  },
  async (t, env) => {
    t.say(`Left by dead runs and removed at setup: ${env.swept} clusters.`);
    const { level, root } = await treeLevel(env, 't1m_id');
    const total = await pages(env, 't1m_id');
    const levels = await levelCounts(env, 't1m_id');
    t.show("bt_metap('t1m_id')", `root block ${root}, level ${level}`);
    t.table(
      ['level', 'pages', 'what they hold'],
      levels.map((l) => [
        l.level,
        l.n,
        l.level === 0 ? 'keys + heap tuple ids (ctid)' : 'separator keys + downlinks',
      ]),
    );
    const rootItems = await items(env, root);
    const firstChildren = rootItems.slice(0, 3);
    t.table(
      ['root item', 'downlink (child block)', 'separator key'],
      firstChildren.map((it, i) => [i + 1, childBlock(it.ctid), it.key ?? '(minus infinity)']),
    );
    // Down the leftmost path to a leaf: the minus-infinity item (no key) of each internal page.
    // A page that is not the rightmost of its level starts with its high key, which is no link.
    let block = root;
    for (let l = level; l > 0; l--) {
      block = childBlock((await items(env, block)).find((it) => it.key === null)?.ctid ?? '');
    }
    const leaf = await items(env, block);
    // On every leaf but the rightmost, item 1 is the high key: the upper bound of the page.
    const entries = leaf.slice(1);
    t.table(
      [`leaf block ${block}, item`, 'heap tuple id (ctid)', 'key'],
      entries.slice(0, 3).map((it, i) => [i + 2, it.ctid, it.key]),
    );
    t.show(
      'fan-out',
      `${leaf.length - 1} keys on that leaf; ${levels.find((l) => l.level === 0)?.n} leaves under ${levels.find((l) => l.level === 1)?.n} internal pages under 1 root`,
    );
    t.equal(
      `a million keys need only ${level + 1} levels: bt_metap level = 2 (root → internal → leaf)`,
      level,
      2,
    );
    t.equal(
      'every page but the metapage belongs to one level, and the top level is the single root page',
      {
        pages: levels.reduce((s, l) => s + l.n, 0),
        top: levels[0]?.n,
        topLevel: levels[0]?.level,
      },
      { pages: total - 1, top: 1, topLevel: level },
    );
    const { rows: childLevels } = await env.db.query<{ level: number }>(
      `SELECT DISTINCT s.btpo_level::int AS level FROM unnest($1::int[]) AS b, bt_page_stats('t1m_id', b) AS s`,
      [rootItems.map((it) => childBlock(it.ctid))],
    );
    t.equal(
      "each of the root's items is a separator key with a downlink to a page one level down",
      childLevels.map((r) => r.level),
      [level - 1],
    );
    const keys = entries.map((e) => e.key ?? 0);
    t.check(
      'a leaf holds keys in order, each with the heap tuple id (ctid) of its row',
      keys.every((k, i) => i === 0 || k > (keys[i - 1] ?? 0)) &&
        entries.every((e) => /^\(\d+,\d+\)$/.test(e.ctid)),
      keys.slice(0, 5).join(', '),
    );
  },
);

export const lookupStep = step<Env>(
  {
    id: 'lookup-vs-scan',
    section: 'a-lookup-reads-one-page-per-level',
    title: 'A lookup reads a page per level; a sequential scan reads every page',
  },
  async (t, env) => {
    const { level } = await treeLevel(env, 't1m_id');
    const heap = await pages(env, 't1m');
    const sql = 'SELECT * FROM t1m WHERE id = 500000';
    // The first plan in a session reads the metapage into the relation cache; the plan after it
    // reads the tree only.
    await env.db.query(sql);
    const lookup = await explain(env.db, sql);
    const scan = await withSettings(
      env.db,
      { enable_indexscan: 'off', enable_bitmapscan: 'off' },
      () => explain(env.db, sql),
    );
    t.table(
      ['plan', 'buffers (hit + read)', 'rows'],
      [
        [shape(lookup), buffers(lookup), lookup['Actual Rows']],
        [`${shape(scan)} (index scans off)`, buffers(scan), scan['Actual Rows']],
      ],
    );
    t.show('heap pages of t1m', heap);
    t.equal(
      `the lookup reads level + 2 buffers: one page per tree level (${level + 1}) and the row's heap page`,
      { plan: shape(lookup), buffers: buffers(lookup) },
      { plan: 'Index Scan using t1m_id', buffers: level + 2 },
    );
    t.equal(
      'the sequential scan reads every heap page of the table',
      { plan: shape(scan), buffers: buffers(scan) },
      { plan: 'Seq Scan on t1m', buffers: heap },
    );
  },
);
