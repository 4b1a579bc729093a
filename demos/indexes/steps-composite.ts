// A composite (a, b) index and a condition on b alone, on PostgreSQL 15 and 18 side by side: the
// same table built by the step in both, the plan each chooses, what the index costs PostgreSQL 15
// when it is forced onto it, and how often PostgreSQL 18 descends into it instead (EXPLAIN's
// `Index Searches`, new in 18). 100 000 rows with 100 values of a is a small table on which the
// two plans differ: 15 keeps a sequential scan, 18 chooses the skip scan (on a million rows with
// 1000 values of a they differ the same way, at ten times the build time).

import { step } from '../kit/define.ts';
import { atLeast, expectedFor } from '../kit/versions.ts';
import { levelCounts, treeLevel } from './btree.ts';
import { type Env, pg18, type Server } from './env.ts';
import { buffers, explain, nodes, type PlanNode, shape, withSettings } from './plan.ts';
import { skipScanFact } from './versions.ts';

const ROWS = 100_000;
const A_VALUES = 100;

const TABLE = [
  'DROP TABLE IF EXISTS ab',
  'CREATE TABLE ab (a int NOT NULL, b int NOT NULL, pad text)',
  // ANALYZE samples 300 × the statistics target rows: 400 reads all 100 000, so the estimates,
  // and with them the plans, are the same on every run.
  'ALTER TABLE ab ALTER a SET STATISTICS 400, ALTER b SET STATISTICS 400',
  `INSERT INTO ab SELECT g % ${A_VALUES}, g % 997, 'row ' || g FROM generate_series(1, ${ROWS}) g`,
  'CREATE INDEX ab_ab ON ab (a, b)',
  'VACUUM ANALYZE ab',
];

const ON_B = 'SELECT * FROM ab WHERE b = 5';

interface Seen {
  version: string;
  plain: PlanNode;
  /** The plan with sequential scans disabled (the same as `plain` where the index is chosen). */
  forced: PlanNode;
  lookup: PlanNode;
  /** ab_ab's leaf pages and level; how many values a has. */
  leaves: number;
  level: number;
  values: number;
}

async function measure(server: Server): Promise<Seen> {
  const { db } = server;
  for (const sql of TABLE) await db.query(sql);
  const plain = await explain(db, ON_B);
  const forced = await withSettings(db, { enable_seqscan: 'off' }, () => explain(db, ON_B));
  const lookup = await explain(db, 'SELECT * FROM ab WHERE a = 5 AND b = 5');
  const leaves = (await levelCounts(server, 'ab_ab')).find((l) => l.level === 0)?.n ?? 0;
  const { level } = await treeLevel(server, 'ab_ab');
  const { rows } = await db.query<{ n: number }>('SELECT count(DISTINCT a)::int AS n FROM ab');
  return {
    version: server.serverVersion,
    plain,
    forced,
    lookup,
    leaves,
    level,
    values: rows[0]?.n ?? 0,
  };
}

const indexNode = (p: PlanNode) => nodes(p).find((n) => n['Index Name'] === 'ab_ab');

export const compositeStep = step<Env>(
  {
    id: 'composite-b',
    section: 'a-composite-index-and-its-second-column',
    title: 'An (a, b) index and WHERE b = 5, on PostgreSQL 15 and 18',
    needs: ['postgres18-binaries'],
  },
  async (t, env) => {
    t.waiting('the PostgreSQL 18 cluster of the run, and the table built in both');
    const newer = await pg18(env);
    t.uses('postgres18-binaries', newer.serverVersion);
    t.defer(() => Promise.all([env.db, newer.db].map((db) => db.query('DROP TABLE IF EXISTS ab'))));
    const seen = await Promise.all([measure(env), measure(newer)]);
    const first = seen[0] as Seen;
    t.show(
      'ab',
      `${ROWS.toLocaleString('en')} rows, a = g % ${A_VALUES} (${first.values} values), b = g % 997; ` +
        `index ab_ab (a, b): ${first.leaves} leaf pages, level ${first.level}`,
    );
    // One row per plan node: the index node's own buffers and searches are the point.
    const rows: unknown[][] = [];
    for (const s of seen) {
      const queries: [string, PlanNode][] = [['b = 5', s.plain]];
      if (shape(s.forced) !== shape(s.plain)) queries.push(['b = 5 (seqscan off)', s.forced]);
      queries.push(['a = 5 AND b = 5', s.lookup]);
      for (const [query, plan] of queries) {
        nodes(plan).forEach((n, i) => {
          const name = n['Index Name'] ? `using ${n['Index Name']}` : `on ${n['Relation Name']}`;
          rows.push([
            i ? '' : s.version.split(' ')[0],
            i ? '' : query,
            `${i ? '  ' : ''}${n['Node Type']} ${name}`,
            n['Index Searches'] ?? '',
            buffers(n),
            n['Actual Rows'],
          ]);
        });
      }
    }
    t.table(['server', 'WHERE', 'plan node', 'Index Searches', 'buffers', 'rows'], rows);

    for (const s of seen) {
      const expected = expectedFor(skipScanFact, s.version);
      t.equal(
        `PostgreSQL ${expected.when} plans WHERE b = 5 with only the (a, b) index: ${expected.value}`,
        shape(s.plain),
        expected.value,
      );
    }
    const older = seen.find((s) => !atLeast(s.version, '18'));
    const skipping = seen.find((s) => atLeast(s.version, '18'));
    const olderNode = older && indexNode(older.forced);
    t.check(
      'PostgreSQL ≤ 17, forced onto the index, reads it end to end: the index node touches every leaf page of ab_ab in one search',
      olderNode !== undefined &&
        buffers(olderNode) >= (older?.leaves ?? 0) &&
        olderNode['Index Searches'] === undefined,
      `${olderNode ? buffers(olderNode) : 0} buffers, ${older?.leaves} leaf pages`,
    );
    const skipNode = skipping && indexNode(skipping.plain);
    t.equal(
      'PostgreSQL ≥ 18 skip-scans it: one descent per value of a and one more that finds none left (Index Searches = values of a + 1)',
      skipNode?.['Index Searches'],
      (skipping?.values ?? 0) + 1,
    );
    t.check(
      "the skip scan reads fewer buffers than PostgreSQL ≤ 17's sequential scan of the same table",
      skipping !== undefined &&
        older !== undefined &&
        buffers(skipping.plain) < buffers(older.plain),
      `${skipping ? buffers(skipping.plain) : '?'} vs ${older ? buffers(older.plain) : '?'} buffers`,
    );
    t.check(
      'with the leading column given, the same index is a lookup on both: WHERE a = 5 AND b = 5 is an Index Scan using ab_ab reading one page per level and the rows’ own pages',
      seen.every(
        (s) =>
          shape(s.lookup) === 'Index Scan using ab_ab' &&
          buffers(s.lookup) <= s.level + 1 + (s.lookup['Actual Rows'] ?? 0),
      ),
      seen.map((s) => `${s.version}: ${shape(s.lookup)}, ${buffers(s.lookup)} buffers`).join('; '),
    );
  },
);
