// The B-tree and table sizes as pageinspect and the catalog report them: the metapage's root and
// level, the pages per level, a relation's size in pages.

import type { Server } from './env.ts';

interface Meta {
  root: string;
  level: string;
}

/** The tree's level (0 = the root is a leaf) and its root block, from the metapage. */
export async function treeLevel(
  env: Pick<Server, 'db'>,
  index: string,
): Promise<{ level: number; root: number }> {
  const { rows } = await env.db.query<Meta>('SELECT root, level FROM bt_metap($1)', [index]);
  return { level: Number(rows[0]?.level), root: Number(rows[0]?.root) };
}

/** Pages of a relation (its size in 8 kB blocks). */
export async function pages(env: Pick<Server, 'db'>, relation: string): Promise<number> {
  const { rows } = await env.db.query<{ n: string }>(
    "SELECT pg_relation_size($1) / current_setting('block_size')::int AS n",
    [relation],
  );
  return Number(rows[0]?.n);
}

/** Pages per tree level (every block but the metapage), top level first. */
export async function levelCounts(
  env: Pick<Server, 'db'>,
  index: string,
): Promise<{ level: number; n: number }[]> {
  const { rows } = await env.db.query<{ level: number; n: number }>(
    `SELECT s.btpo_level::int AS level, count(*)::int AS n
       FROM generate_series(1, pg_relation_size($1::regclass) / current_setting('block_size')::int - 1) AS b,
            bt_page_stats($1::text, b::int) AS s
      GROUP BY 1 ORDER BY 1 DESC`,
    [index],
  );
  return rows;
}
