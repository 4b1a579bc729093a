// What the backup labs share: the learner's shell scripts run as the server user (PostgreSQL
// refuses root, and the data folders are that user's), with the cluster's own client tools first
// on PATH and the variables the lab names; and the row the claims compare roles and owners by.

import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type pg from 'pg';
import type { Cluster } from '../kit/pg-cluster.ts';

const SCRIPT_TIMEOUT_MS = 30_000;

/**
 * Runs the shell script `file` with `sh`, as the server user, from a copy in `where`'s folder
 * (the server user may not be able to read the learner's workspace). `exit 0`, or how it failed:
 * the first error line it printed (pg_restore goes on after an error and reports a count last).
 */
export async function runScript(
  where: Cluster,
  file: string,
  vars: Record<string, string>,
): Promise<string> {
  const copy = join(where.dir, `lab-${basename(file)}`);
  copyFileSync(file, copy);
  const env = Object.entries({ PATH: `${where.bin}:${process.env.PATH ?? ''}`, ...vars }).map(
    ([k, v]) => `${k}=${v}`,
  );
  const script = 'sh "$0" 2>"$0.err"';
  try {
    await where.run('/usr/bin/env', [...env, 'sh', '-c', script, copy], SCRIPT_TIMEOUT_MS);
    return 'exit 0';
  } catch (err) {
    const printed = existsSync(`${copy}.err`) ? readFileSync(`${copy}.err`, 'utf8') : '';
    const lines = printed.trim().split('\n').filter(Boolean);
    const first = lines.find((l) => /error|FATAL/i.test(l)) ?? lines.at(-1);
    return `failed: ${first ?? (err as Error).message}`;
  }
}

/** libpq's variables for a client tool aimed at `cluster` as the superuser. */
export function pgVars(cluster: Cluster): Record<string, string> {
  return { PGHOST: '127.0.0.1', PGPORT: String(cluster.port), PGUSER: 'postgres' };
}

/** Who owns shop's orders, which of app and reporting exist and may log in, who may read it. */
export async function rolesOf(db: pg.Client): Promise<string> {
  const { rows } = await db.query<{ owner: string; roles: string; reporting: boolean | null }>(
    `SELECT (SELECT tableowner FROM pg_tables WHERE tablename = 'orders') AS owner,
            (SELECT coalesce(string_agg(rolname || CASE WHEN rolcanlogin THEN ' (login)' ELSE '' END, ', ' ORDER BY rolname), 'none')
               FROM pg_roles WHERE rolname IN ('app', 'reporting')) AS roles,
            CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reporting')
                 THEN has_table_privilege('reporting', 'orders', 'SELECT') END AS reporting`,
  );
  const r = rows[0];
  return `orders owned by ${r?.owner}; roles ${r?.roles}; reporting reads orders: ${r?.reporting ?? 'no such role'}`;
}
