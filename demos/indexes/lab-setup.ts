// What the index labs share: a throwaway PostgreSQL 15 cluster of the check's own with the
// demo's settings (autovacuum and parallel query off: plans depend on the data alone), the
// lab's table built in it, and the learner's SQL file run statement by statement — only
// statements that change indexes or statistics, so a plan cannot be bought with a SET.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type pg from 'pg';
import type { StepContext } from '../kit/define.ts';
import { clustersForCheck, createCluster } from '../kit/pg-cluster.ts';
import { type Env, EXTENSIONS, SETTINGS } from './env.ts';

/** The orders of the labs: 1 000 customers of 100 orders each, one order a minute, created_at in id order. */
export const ORDERS = 100_000;
export const ORDERS_TABLE = [
  'CREATE TABLE orders (id int NOT NULL, customer_id int NOT NULL, created_at timestamptz NOT NULL, total numeric(10, 2) NOT NULL, status text NOT NULL)',
  `INSERT INTO orders SELECT g, (g * 7919) % 1000, timestamptz '2026-01-01 00:00+00' + g * interval '1 minute', (g * 7.31) % 1000, 'paid' FROM generate_series(1, ${ORDERS}) g`,
  'VACUUM ANALYZE orders',
];

/** A cluster with `build` run in it, as the steps' Env; removed when the check ends. */
export async function labEnv(t: StepContext, build: string[]): Promise<Env> {
  await clustersForCheck(t, 'indexes');
  const cluster = await createCluster({ topic: 'indexes', settings: SETTINGS });
  t.defer(() => cluster.remove());
  const db = await cluster.connect();
  t.defer(() => db.end().catch(() => undefined));
  for (const sql of [...EXTENSIONS, ...build]) await db.query(sql);
  const { rows } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const serverVersion = String(rows[0]?.v);
  t.uses('postgresql', serverVersion);
  return { cluster, db, serverVersion, swept: 0 };
}

const ALLOWED = /^(CREATE\s+(UNIQUE\s+)?INDEX|DROP\s+INDEX|ANALYZE|VACUUM)\b/i;

/**
 * Runs the learner's SQL file one statement at a time (VACUUM and CREATE INDEX CONCURRENTLY
 * refuse a multi-statement string). Statements are split at `;` after `--` comments are dropped:
 * index DDL has no semicolons inside literals.
 */
export async function runSqlFile(db: pg.Client, file: string): Promise<string[]> {
  const name = basename(file);
  const statements = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((s) => s.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
  for (const [i, sql] of statements.entries()) {
    if (!ALLOWED.test(sql))
      throw new Error(
        `${name}, statement ${i + 1}: only CREATE INDEX, DROP INDEX, ANALYZE and VACUUM belong here: ${sql}`,
      );
    await db.query(sql).catch((err: Error) => {
      throw new Error(`${name}, statement ${i + 1} failed: ${err.message}: ${sql}`);
    });
  }
  return statements;
}
