// `npx tsx demos/indexes explain <postgres-url> <sql>`: the plan of a query on your database
// with the buffers it touched, and the indexes of the tables it read, used or not. EXPLAIN
// ANALYZE runs the query, so it runs in a READ ONLY transaction that is rolled back: a write is
// refused by the server, not executed. Exit 0 when it could explain, 2 for bad input, an
// unreachable server or a refused query.

import type pg from 'pg';
import { UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { connectOrSay, parsePostgresUrl } from '../kit/pg-url.ts';
import { buffers, nodes, type PlanNode } from './plan.ts';

const USAGE = '<postgres-url> <sql>';
const HELP = [
  `Usage: npx tsx demos/indexes explain ${USAGE}`,
  '',
  'Runs EXPLAIN (ANALYZE, BUFFERS) on the query inside a READ ONLY transaction that is rolled',
  'back, prints the plan with the buffers each node touched, and lists the indexes of every',
  'table the plan read, marking the ones it used. A statement that writes is refused by the',
  'server (25006) and reported, not run; what READ ONLY lets through (EXPLAIN ANALYZE CREATE',
  'TABLE AS on PostgreSQL 15) is rolled back. Effects outside the database (a function that',
  'calls out) cannot be rolled back: explain only what you would run. statement_timeout 30 s.',
  "Example: npx tsx demos/indexes explain postgres://postgres@127.0.0.1:5432/postgres 'SELECT 1'",
  'Exit status: 0 explained, 2 bad input, unreachable server or a query the server refused.',
];

function describe(node: PlanNode, depth: number, out: (l: string) => void): void {
  const what = [
    node['Node Type'],
    node['Index Name'] ? `using ${node['Index Name']}` : '',
    node['Relation Name'] && !node['Index Name'] ? `on ${node['Relation Name']}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const cond = node['Index Cond']
    ? ` [${node['Index Cond']}]`
    : node.Filter
      ? ` [filter ${node.Filter}]`
      : '';
  const fetches =
    node['Heap Fetches'] !== undefined ? `, heap fetches ${node['Heap Fetches']}` : '';
  out(
    `${'  '.repeat(depth + 1)}${what}${cond}: ${node['Actual Rows']} rows, ${buffers(node)} buffers (${node['Shared Hit Blocks'] ?? 0} hit, ${node['Shared Read Blocks'] ?? 0} read)${fetches}`,
  );
  for (const child of node.Plans ?? []) describe(child, depth + 1, out);
}

export const explainCommand: Subcommand = {
  name: 'explain',
  usage: USAGE,
  summary: 'the plan of your query with buffers, and the indexes it used or not (read-only)',
  async run(argv: string[], io: CliIO): Promise<number> {
    if (argv.includes('--help') || argv.includes('-h')) {
      for (const l of HELP) io.out(l);
      return 0;
    }
    if (argv.length !== 2) {
      throw new UsageError(
        `explain: give a PostgreSQL URL and one SQL statement; got ${argv.length} arguments`,
      );
    }
    const [rawUrl, sql] = argv as [string, string];
    const url = parsePostgresUrl('explain', [rawUrl]) as string;
    if (!sql.trim()) throw new UsageError('explain: the SQL statement is empty');
    const client = await connectOrSay(url, 'indexes: explain', io);
    if (!client) return 2;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query("SET LOCAL statement_timeout = '30s'");
      // The extended protocol takes one statement: no "…; COMMIT; DROP …" behind the EXPLAIN.
      const query: pg.QueryConfig & { queryMode: 'extended' } = {
        text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
        queryMode: 'extended',
      };
      const { rows } = await client.query<{
        'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[];
      }>(query);
      const top = rows[0]?.['QUERY PLAN'][0];
      if (!top) throw new Error('EXPLAIN returned no plan');
      const tables = [
        ...new Set(
          nodes(top.Plan)
            .map((n) => n['Relation Name'])
            .filter(Boolean),
        ),
      ] as string[];
      const used = new Set(
        nodes(top.Plan)
          .map((n) => n['Index Name'])
          .filter(Boolean),
      );
      const { rows: indexes } = await client.query<{ t: string; i: string; def: string }>(
        `SELECT c.relname AS t, i.relname AS i, pg_get_indexdef(x.indexrelid) AS def
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
          WHERE c.relname = ANY($1) ORDER BY 1, 2`,
        [tables],
      );
      await client.query('ROLLBACK');
      io.out(`plan (executed, then rolled back; ${top['Execution Time'].toFixed(2)} ms):`);
      describe(top.Plan, 0, io.out);
      for (const table of tables) {
        const mine = indexes.filter((x) => x.t === table);
        io.out(
          `indexes of ${table}: ${mine.length ? '' : 'none (every read is a sequential scan)'}`,
        );
        for (const x of mine) io.out(`  ${used.has(x.i) ? 'used    ' : 'not used'} ${x.def}`);
      }
      return 0;
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (!e.code) throw err;
      io.err(`demos/indexes: explain: the server refused it: ${e.code} ${e.message}`);
      return 2;
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
