// EXPLAIN (ANALYZE, BUFFERS) as data: the plan tree in JSON, each node's buffers (a node's counts
// include its children's), and the node types and index names a claim looks for.

import type pg from 'pg';

export interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Heap Fetches'?: number;
  /** Descents into the index (PostgreSQL 18+: more than 1 for a skip scan or an IN list). */
  'Index Searches'?: number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Shared Dirtied Blocks'?: number;
  'Shared Written Blocks'?: number;
  'Index Cond'?: string;
  Filter?: string;
  Plans?: PlanNode[];
}

/** Runs EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) on `sql`; the top plan node. */
export async function explain(db: pg.Client, sql: string): Promise<PlanNode> {
  const { rows } = await db.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
    `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) ${sql}`,
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  if (!plan) throw new Error(`no plan for: ${sql}`);
  return plan;
}

/** Shared buffers a node touched (hit in the cache or read in), its children's included. */
export function buffers(node: PlanNode): number {
  return (node['Shared Hit Blocks'] ?? 0) + (node['Shared Read Blocks'] ?? 0);
}

/** Every node of the tree, depth first. */
export function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** "Index Scan using t1m_id" / "Seq Scan on t1m", node by node: the plan in one line. */
export function shape(plan: PlanNode): string {
  return nodes(plan)
    .map((n) => {
      if (n['Index Name']) return `${n['Node Type']} using ${n['Index Name']}`;
      if (n['Relation Name']) return `${n['Node Type']} on ${n['Relation Name']}`;
      return n['Node Type'];
    })
    .join(' → ');
}

/** Runs `fn` with planner settings changed for this session, then resets them. */
export async function withSettings<T>(
  db: pg.Client,
  settings: Record<string, string>,
  fn: () => Promise<T>,
): Promise<T> {
  for (const [k, v] of Object.entries(settings)) await db.query(`SET ${k} = ${v}`);
  try {
    return await fn();
  } finally {
    for (const k of Object.keys(settings)) await db.query(`RESET ${k}`);
  }
}
