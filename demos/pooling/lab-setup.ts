// What the pooling labs share: a throwaway PostgreSQL 15 cluster of the check's own, as the steps
// have it (max_connections = 20, 3 reserved, a role `app` that is no superuser, a superuser
// session for looking), and the learner's pgbouncer.ini read into what startBouncer takes.

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type pg from 'pg';
import type { StepContext } from '../kit/define.ts';
import { type Cluster, clustersForCheck, createCluster } from '../kit/pg-cluster.ts';
import { type OwnIni, RUN_KEYS } from './bouncer.ts';
import { MAX_CONNECTIONS } from './env.ts';

export interface LabCluster {
  cluster: Cluster;
  /** A superuser session on the cluster, directly (one of its 20 slots). */
  control: pg.Client;
}

/** The cluster, removed (with any PgBouncer in its folder) when the check ends. */
export async function labCluster(t: StepContext): Promise<LabCluster> {
  await clustersForCheck(t, 'pooling');
  const cluster = await createCluster({
    topic: 'pooling',
    settings: { max_connections: MAX_CONNECTIONS, superuser_reserved_connections: 3 },
  });
  t.defer(() => cluster.remove());
  const control = await cluster.connect();
  t.defer(() => control.end().catch(() => undefined));
  await control.query('CREATE ROLE app LOGIN');
  const { rows } = await control.query<{ v: string }>(
    "SELECT current_setting('server_version') AS v",
  );
  t.uses('postgresql', String(rows[0]?.v));
  return { cluster, control };
}

/**
 * A pgbouncer.ini as the learner wrote it: [databases] lines with `{port}` standing for the
 * server's port, and [pgbouncer] settings, minus the keys the run sets itself (RUN_KEYS).
 */
export function readIni(file: string, vars: Record<string, string>): OwnIni {
  const name = basename(file);
  const fill = (v: string) =>
    v.replace(/\{(\w+)\}/g, (whole, k: string) => {
      const value = vars[k];
      if (value === undefined) throw new Error(`${name}: no value for ${whole}`);
      return value;
    });
  let section = '';
  const databases: string[] = [];
  const settings: Record<string, string> = {};
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.replace(/^\s*[;#].*$/, '').trim();
      if (!line) return;
      const where = `${name} line ${i + 1}`;
      const head = /^\[(\w+)\]$/.exec(line);
      if (head) {
        section = head[1] as string;
        if (section !== 'databases' && section !== 'pgbouncer')
          throw new Error(`${where}: [${section}]: only [databases] and [pgbouncer] belong here`);
        return;
      }
      const kv = /^([\w*.-]+)\s*=\s*(.*)$/.exec(line);
      if (!kv || !section)
        throw new Error(`${where}: not a "key = value" line of a section: ${line}`);
      const [, key, value] = kv as unknown as [string, string, string];
      if (section === 'databases') databases.push(`${key} = ${fill(value)}`);
      else if (RUN_KEYS.includes(key))
        throw new Error(
          `${where}: ${key} is set by the check (it runs PgBouncer on a port of its own)`,
        );
      else settings[key] = fill(value);
    });
  return { databases: databases.join('\n'), settings };
}
