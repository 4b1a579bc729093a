// How a topic is laid out over brokers, where keys go, and what order means.

import { type ICustomPartitioner, Partitioners } from 'kafkajs';
import { step } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { partitionsOf } from './client.ts';
import {
  brokerIds,
  ensureTopic,
  group,
  producer,
  servedEverywhere,
  useCluster,
} from './cluster.ts';
import type { Env } from './env.ts';
import { javaPartition, keyPerPartition, librdkafkaPartition } from './partitioners.ts';

const KEYS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);

export const topicsStep = step<Env>(
  {
    id: 'topics',
    section: 'topics-and-partitions',
    title: 'A topic is split into partitions, each replicated on different brokers',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const brokers = await brokerIds(env);
    t.show('brokers in the cluster', brokers.join(', '));
    const topic = await ensureTopic(env, 'layout', { partitions: 3 });
    t.say('createTopics: 3 partitions, replication factor 3; every broker serves it');
    const parts = await partitionsOf(env.admin, topic);
    t.table(
      ['partition', 'leader', 'replicas', 'isr'],
      parts.map((p) => [p.partitionId, p.leader, p.replicas.join(','), sortNum(p.isr).join(',')]),
    );
    t.equal('the cluster has 3 brokers', brokers.length, 3);
    t.equal(
      'the topic has partitions 0, 1 and 2',
      parts.map((p) => p.partitionId),
      [0, 1, 2],
    );
    t.check(
      'every partition has 3 replicas, each on a different broker',
      parts.every((p) => p.replicas.length === 3 && new Set(p.replicas).size === 3),
    );
    t.check(
      'every partition has one leader, and it is one of its replicas',
      parts.every((p) => p.replicas.includes(p.leader)),
    );
    t.check(
      'on a fresh topic every replica is in sync (ISR = replicas)',
      parts.every((p) => sortNum(p.isr).join() === sortNum(p.replicas).join()),
    );

    // Who the producer talks to: kafkajs reports each request it completes, with the broker.
    const { brokers: addresses } = await env.admin.describeCluster();
    const nodeAt = new Map(addresses.map((b) => [`${b.host}:${b.port}`, b.nodeId]));
    const requests: { api: string; node: number | undefined }[] = [];
    const p = await producer(t, env);
    p.on(p.events.REQUEST, ({ payload }) =>
      requests.push({ api: payload.apiName, node: nodeAt.get(payload.broker) }),
    );
    for (const partition of [0, 1, 2]) {
      await p.send({ topic, acks: -1, messages: [{ partition, value: `to ${partition}` }] });
    }
    const produced = requests.filter((r) => r.api === 'Produce');
    t.table(
      ['request', 'to broker'],
      requests.map((r) => [r.api, r.node]),
    );
    t.check(
      'before its first Produce the producer asked a broker for Metadata (to find the leaders)',
      requests.findIndex((r) => r.api === 'Metadata') <
        requests.findIndex((r) => r.api === 'Produce'),
    );
    t.equal(
      'each Produce request went to the leader of its partition, and only there',
      produced.map((r) => r.node),
      parts.map((x) => x.leader),
    );
  },
);

export const keysStep = step<Env>(
  {
    id: 'keys',
    section: 'keys-and-partitions',
    title: 'The key picks the partition: murmur2(key) mod N, for this partitioner and N',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'keys', { partitions: 3 });
    const p = await producer(t, env);
    // One record per send, so each RecordMetadata names the partition the broker appended to.
    const placed = new Map<string, number[]>();
    for (const round of [1, 2]) {
      for (const key of KEYS) {
        const [meta] = await p.send({ topic, acks: -1, messages: [{ key, value: `${round}` }] });
        placed.set(key, [...(placed.get(key) ?? []), meta?.partition ?? -1]);
      }
    }
    const kafkajs = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [],
      isr: [],
    }));
    const rows = KEYS.map((key) => {
      const broker = placed.get(key) ?? [];
      const rd = librdkafkaPartition(key, 3);
      return { key, broker, java: javaPartition(key, 3), rd };
    });
    t.table(
      ['key', 'partitions (2 sends)', 'murmur2 % 3', 'librdkafka crc32 % 3', ''],
      rows.map((r) => [r.key, r.broker.join(','), r.java, r.rd, r.rd === r.java ? '' : '≠']),
    );
    t.check(
      'both records of each key landed in the same partition',
      rows.every((r) => r.broker.length === 2 && r.broker[0] === r.broker[1]),
    );
    t.equal(
      "each key's partition is toPositive(murmur2(key)) % 3, computed here independently",
      rows.map((r) => r.broker[0]),
      rows.map((r) => r.java),
    );
    t.equal(
      "kafkajs's DefaultPartitioner, called directly, agrees with that computation",
      KEYS.map((key) => kafkajs({ topic, partitionMetadata, message: { key, value: null } })),
      rows.map((r) => r.java),
    );
    const moved = rows.filter((r) => r.rd !== r.java).map((r) => r.key);
    t.show('keys librdkafka (consistent_random) would place elsewhere', moved.join(', '));
    t.check(
      `librdkafka's default would put ${moved.length} of ${KEYS.length} keys on another partition`,
      moved.length > 0,
    );

    const keyless = await p.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 6 }, (_, i) => ({ value: `no key ${i}` })),
    });
    t.table(
      ['keyless batch: partition', 'base offset'],
      sortNum(keyless.map((m) => m.partition)).map((part) => [
        part,
        keyless.find((m) => m.partition === part)?.baseOffset,
      ]),
    );
    t.equal(
      '6 records without a key are spread over all 3 partitions (kafkajs: round-robin)',
      sortNum(keyless.map((m) => m.partition)),
      [0, 1, 2],
    );

    await env.admin.createPartitions({ topicPartitions: [{ topic, count: 6 }] });
    t.say('createPartitions: the topic now has 6 partitions');
    await servedEverywhere(env.admin, topic, 6);
    // Each broker learns of the new partitions from the metadata log on its own schedule, so a
    // producer may still be told 3. Watch what the partitioner is given, and refresh until it
    // is 6 (each refresh sends one keyless record).
    let seen = 0;
    const watching: ICustomPartitioner = () => {
      const inner = Partitioners.DefaultPartitioner();
      return (args) => {
        seen = args.partitionMetadata.length;
        return inner(args);
      };
    };
    const p6 = await producer(t, env, { createPartitioner: watching, metadataMaxAge: 100 });
    await waitFor('the producer to see 6 partitions', async () => {
      await p6.send({ topic, acks: -1, messages: [{ value: 'metadata refresh' }] });
      return seen === 6 ? true : undefined;
    });
    const seenPerKey: number[] = [];
    const after: number[] = [];
    for (const key of KEYS) {
      const [meta] = await p6.send({ topic, acks: -1, messages: [{ key, value: '3' }] });
      after.push(meta?.partition ?? -1);
      seenPerKey.push(seen);
    }
    t.table(
      ['key', 'with 3 partitions', 'with 6 partitions', ''],
      rows.map((r, i) => [r.key, r.broker[0], after[i], after[i] === r.broker[0] ? '' : 'moved']),
    );
    t.check(
      "the producer's partitioner was given 6 partitions for every key",
      seenPerKey.every((n) => n === 6),
    );
    t.equal(
      'with 6 partitions each key goes to murmur2(key) % 6',
      after,
      KEYS.map((k) => javaPartition(k, 6)),
    );
    const movedKeys = KEYS.filter((_, i) => after[i] !== rows[i]?.broker[0]);
    t.check(
      `adding partitions moved ${movedKeys.length} of ${KEYS.length} keys to a new partition`,
      movedKeys.length > 0,
    );
  },
);

export const orderingStep = step<Env>(
  {
    id: 'ordering',
    section: 'ordering-is-per-partition',
    title: 'Offsets count per partition; order holds within one, not across them',
    needs: [],
  },
  async (t, env) => {
    await useCluster(t, env, 'shared');
    const topic = await ensureTopic(env, 'order', { partitions: 3 });
    const keys = keyPerPartition(3, 'user');
    const p = await producer(t, env);
    const written: { key: string; seq: number; partition: number; offset: number }[] = [];
    for (let seq = 1; seq <= 4; seq++) {
      for (const key of keys) {
        const [meta] = await p.send({ topic, acks: -1, messages: [{ key, value: String(seq) }] });
        written.push({
          key,
          seq,
          partition: meta?.partition ?? -1,
          offset: Number(meta?.baseOffset),
        });
      }
    }
    t.say(`wrote ${keys.join(', ')} in turn, 4 rounds, one record per send (acks=all)`);
    t.table(
      ['partition', 'key', 'offsets (seq)'],
      keys.map((key) => {
        const mine = written.filter((w) => w.key === key);
        return [mine[0]?.partition, key, mine.map((w) => `${w.offset}(${w.seq})`).join(' ')];
      }),
    );
    const g = group(t, env, 'order', topic, 3);
    await g.add('reader');
    t.waiting('the reader to join and read 12 records');
    const read = await g.receivedAtLeast(written.length);
    const short = (key: string, seq: string | number) => `${key.replace('user-', 'u')}#${seq}`;
    t.block([
      `write order: ${written.map((w) => short(w.key, w.seq)).join(' ')}`,
      `read order:  ${read.map((r) => short(r.key, r.value)).join(' ')}`,
    ]);
    t.say('the reader sees each partition in order, but partitions interleave as fetches return');
    t.check(
      'offsets start at 0 and grow by 1 in every partition (there is no global offset)',
      keys.every((key) => written.filter((w) => w.key === key).every((w, i) => w.offset === i)),
    );
    t.check(
      'the same offset numbers exist in all 3 partitions',
      [0, 1, 2].every((part) => written.some((w) => w.partition === part && w.offset === 0)),
    );
    t.check(
      'each key is read in the order it was written (1, 2, 3, 4)',
      keys.every(
        (key) =>
          read
            .filter((r) => r.key === key)
            .map((r) => r.value)
            .join() === '1,2,3,4',
      ),
    );
    t.check(
      'within each partition records are read in offset order',
      [0, 1, 2].every((part) => {
        const offs = read.filter((r) => r.partition === part).map((r) => r.offset);
        return offs.every((o, i) => i === 0 || o > (offs[i - 1] as number));
      }),
    );
  },
);
