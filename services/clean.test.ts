// `npm run services -- clean` on the shared services: what it counts as a dead run's leftover
// (current and old names, by age and by owner), and a real sweep — a stale topic, group-less, and
// a stale table in every database that answers are removed, a live run's are kept.

import { spawnSync } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../demos/kit/endpoints.ts';
import { runName, STALE_AFTER_MS } from '../demos/kit/names.ts';
import { ensure } from './api.ts';
import { clean, leftover } from './clean.ts';

const dead = spawnSync('true').pid as number;
const old = Date.now() - STALE_AFTER_MS - 60_000;
/** A name made as runSuffix() made them: pid, Date.now and 4 random characters, base 36. */
const oldSuffix = (pid: number, at: number) => `${pid.toString(36)}${at.toString(36)}k3x9`;

describe('what counts as a leftover', () => {
  it.each([
    [`wn_kafka_${Math.floor(old / 1000)}_1_0a1b`, true, 'old, even if its pid (1) lives'],
    [`wn_kafka_${Math.floor(Date.now() / 1000)}_${dead}_0a1b`, true, 'young, but its pid is gone'],
    [runName('kafka'), false, 'this live run’s'],
    [`wirenotes-orders-${oldSuffix(dead, Date.now())}`, true, 'old naming, pid gone'],
    [`wirenotes-orders-${oldSuffix(1, old)}`, true, 'old naming, too old'],
    [`isolation_${oldSuffix(dead, Date.now())}`, true, 'old table naming'],
    [`isolation_${oldSuffix(process.pid, Date.now())}`, false, 'old naming, live and young'],
    ['__consumer_offsets', false, 'Kafka’s own'],
    ['orders', false, 'a user’s own topic'],
  ])('%s → %s (%s)', (name, expected) => {
    expect(leftover(name)).toBe(expected);
  });
});

describe('a real sweep', () => {
  const staleTopic = `wn_cleantest_${Math.floor(old / 1000)}_1_0c1e`;
  const liveTopic = runName('cleantest');
  const staleTable = `isolation_${oldSuffix(dead, Date.now())}`;
  const kafka = new Kafka({ brokers: endpoints.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const db = new pg.Client({ connectionString: endpoints.pgUrl });

  beforeAll(async () => {
    await ensure(['kafka', 'postgres']);
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: staleTopic }, { topic: liveTopic }],
      waitForLeaders: true,
    });
    await db.connect();
    await db.query(`CREATE TABLE ${staleTable} (id int)`);
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [liveTopic] }).catch(() => undefined);
    await admin.disconnect();
    await db.query(`DROP TABLE IF EXISTS ${staleTable}`);
    await db.end();
  });

  it('removes the dead runs’ topic and table, keeps the live run’s, and says how many', async () => {
    const { lines, removed } = await clean();
    const topics = await admin.listTopics();
    expect(topics).not.toContain(staleTopic);
    expect(topics).toContain(liveTopic);
    const { rows } = await db.query('SELECT 1 FROM pg_tables WHERE tablename = $1', [staleTable]);
    expect(rows).toHaveLength(0);
    expect(removed).toBeGreaterThanOrEqual(2);
    expect(lines[0]).toMatch(/^Kafka \S+: [1-9]\d* topics, \d+ groups$/);
    expect(lines.find((l) => l.startsWith('PG_URL'))).toMatch(/: [1-9]\d* tables$/);
  });
});
