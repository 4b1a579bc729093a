// `npm run services -- clean`: removes what dead runs left in the shared services — Kafka topics
// and consumer groups, database tables — and says how many. A name is a dead run's when it is a
// runName (`wn_<topic>_<epoch>_<pid>_<hex>`, demos/kit/names.ts) that isStale, or one of the names
// runs made before runName existed, whose suffix (runSuffix: pid, Date.now and 4 random characters
// in base 36) dates them the same way: Kafka `wirenotes-<what>-<suffix>`, tables
// `isolation_<suffix>`. A live run's names are kept. Every database a service record points at
// (any env variable holding a postgres:// or mysql:// URL) is swept; one that does not answer is
// skipped and said so (a standby: it follows its primary). Lease files of dead processes go too,
// and a Kafka node a dead run's failover left stopped is started again.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { SERVICE_NAMES, serviceEnv } from '../demos/kit/endpoints.ts';
import { isStale, parseRunName, STALE_AFTER_MS } from '../demos/kit/names.ts';
import { prepare } from './adopt.ts';
import { startNode } from './kafka-node.ts';
import type { Layout } from './layout.ts';
import { exclusivelyTaken } from './lease.ts';
import { pidAlive } from './lock.ts';
import { type Options, readState } from './state.ts';

/** A dead run's name (current or old naming), at `now`. */
export function leftover(name: string, now = Date.now()): boolean {
  const parts = parseRunName(name);
  if (parts) return isStale(name, parts.topic, STALE_AFTER_MS, now);
  const m = /^(?:wirenotes-[a-z0-9-]+-|isolation_)([0-9a-z]{13,16})$/.exec(name);
  if (!m) return false;
  const suffix = m[1] as string;
  const created = Number.parseInt(suffix.slice(-12, -4), 36);
  const pid = Number.parseInt(suffix.slice(0, -12), 36);
  if (!Number.isFinite(created) || !Number.isFinite(pid)) return false;
  return now - created > STALE_AFTER_MS || (pid !== process.pid && !pidAlive(pid));
}

export interface CleanResult {
  /** One line per place swept: "Kafka 127.0.0.1:9092: 3 topics, 2 groups". */
  lines: string[];
  removed: number;
}

interface Swept {
  line: string;
  n: number;
}

async function cleanKafka(brokers: string[]): Promise<Swept> {
  const kafka = new Kafka({
    clientId: 'wirenotes-clean',
    brokers,
    connectionTimeout: 1500,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch {
    return { line: `Kafka ${brokers.join(',')}: not reachable, skipped`, n: 0 };
  }
  try {
    const topics = (await admin.listTopics()).filter((t) => leftover(t));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 10_000 });
    const ids = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => leftover(g));
    // Only a group with no members can be deleted; a live one is not a leftover anyway.
    const described = ids.length ? (await admin.describeGroups(ids)).groups : [];
    const empty = described.filter((g) => g.state === 'Empty' || g.state === 'Dead');
    if (empty.length) await admin.deleteGroups(empty.map((g) => g.groupId));
    return {
      line: `Kafka ${brokers.join(',')}: ${topics.length} topics, ${empty.length} groups`,
      n: topics.length + empty.length,
    };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

type Query = (sql: string) => Promise<string[]>;

async function withDatabase(url: string, fn: (q: Query) => Promise<number>): Promise<number> {
  if (url.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    await client.connect();
    try {
      return await fn(async (sql) =>
        (await client.query<Record<string, string>>(sql)).rows.map(
          (r) => Object.values(r)[0] ?? '',
        ),
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  const conn = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
  try {
    return await fn(async (sql) => {
      const [rows] = await conn.query(sql);
      return (rows as Record<string, string>[]).map((r) => Object.values(r)[0] ?? '');
    });
  } finally {
    await conn.end().catch(() => undefined);
  }
}

async function cleanDatabase(variable: string, url: string): Promise<Swept> {
  const where = `${variable} (${new URL(url).host})`;
  try {
    let standby = false;
    const n = await withDatabase(url, async (q) => {
      // A standby is read-only; what the primary drops goes away there too.
      if (
        url.startsWith('postgres') &&
        String((await q('SELECT pg_is_in_recovery()'))[0]) === 'true'
      ) {
        standby = true;
        return 0;
      }
      const tables = url.startsWith('postgres')
        ? await q('SELECT tablename FROM pg_tables WHERE schemaname = current_schema()')
        : await q('SHOW TABLES');
      const dead = tables.filter((t) => leftover(t));
      for (const t of dead) await q(`DROP TABLE IF EXISTS ${t}`);
      return dead.length;
    });
    return { line: `${where}: ${standby ? 'a standby, follows its primary' : `${n} tables`}`, n };
  } catch (err) {
    return { line: `${where}: skipped (${(err as Error).message.split('\n')[0]})`, n: 0 };
  }
}

/** Every database URL the service records read, once each. */
function databaseUrls(): [string, string][] {
  const seen = new Map<string, string>();
  for (const name of SERVICE_NAMES) {
    for (const [k, v] of Object.entries(serviceEnv(name) as Record<string, unknown>)) {
      if (typeof v === 'string' && /^(postgres|postgresql|mysql|mariadb):\/\//.test(v)) {
        if (![...seen.values()].includes(v)) seen.set(k, v);
      }
    }
  }
  return [...seen];
}

function cleanLeases(dir: string): number {
  let n = 0;
  const root = join(dir, 'leases');
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return 0;
  }
  for (const name of names) {
    for (const f of readdirSync(join(root, name)).filter((f) => f.endsWith('.json'))) {
      try {
        const { pid } = JSON.parse(readFileSync(join(root, name, f), 'utf8')) as { pid: number };
        if (!pidAlive(pid)) {
          rmSync(join(root, name, f), { force: true });
          n++;
        }
      } catch {
        // Being replaced or removed by its owner right now.
      }
    }
  }
  return n;
}

/**
 * Kafka nodes a failover stopped and a dead run never started again (kill -9): started, unless a
 * live run holds the kafka lease exclusively (it is mid-failover and will start it itself).
 */
async function restartStopped(layout: Layout, report: (l: string) => void): Promise<Swept> {
  const units = readState(layout).units;
  const stopped = layout.kafkaNodes.filter((n) => {
    const r = units[n.name];
    return r?.via === 'native' && r.pid === undefined;
  });
  if (!stopped.length) return { line: 'Kafka nodes left stopped: 0', n: 0 };
  if (exclusivelyTaken('kafka', layout.dir)) {
    return {
      line: `Kafka nodes stopped by a live failover, left to it: ${stopped.map((n) => n.name).join(', ')}`,
      n: 0,
    };
  }
  for (const n of stopped) await startNode(n.name, { layout, report });
  return {
    line: `Kafka nodes left stopped by a dead run, started: ${stopped.map((n) => n.name).join(', ')}`,
    n: stopped.length,
  };
}

export async function clean(options: Options = {}): Promise<CleanResult> {
  const { layout } = await prepare(options);
  const swept = await Promise.all([
    cleanKafka(serviceEnv('kafka').KAFKA_BROKERS),
    ...databaseUrls().map(([k, v]) => cleanDatabase(k, v)),
  ]);
  const leases = cleanLeases(layout.dir);
  swept.push({ line: `lease files of dead processes: ${leases}`, n: leases });
  swept.push(await restartStopped(layout, options.report ?? (() => undefined)));
  return { lines: swept.map((s) => s.line), removed: swept.reduce((sum, s) => sum + s.n, 0) };
}
