// kafkajs wired for a demo: tight timeouts, no log output (the steps narrate what happened), and
// the metadata lookups the steps share.

import {
  type Admin,
  type ITopicMetadata,
  Kafka,
  logLevel,
  Partitioners,
  type PartitionMetadata,
} from 'kafkajs';
import { quietKafkajsTimeouts } from '../../services/kafkajs-warnings.ts';
import { endpoints } from '../kit/endpoints.ts';
import { MissingServices } from '../kit/run.ts';
import { waitFor } from '../kit/wait.ts';

export function createKafka(clientId: string): Kafka {
  quietKafkajsTimeouts();
  return new Kafka({
    clientId,
    brokers: endpoints.kafkaBrokers,
    // kafkajs logs retried errors (a leader moving) that the steps expect and narrate.
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 10_000,
    // Enough to ride out a leader or coordinator move (a few hundred ms on a controlled
    // shutdown), short enough that a dead cluster fails within seconds.
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 },
  });
}

/**
 * The kit's probe only sees that the ports accept TCP. This asks for cluster metadata with a
 * short fuse, so something that is not a Kafka broker fails the demo in seconds, with exit 2.
 */
export async function checkKafka(): Promise<void> {
  quietKafkajsTimeouts();
  const brokers = endpoints.kafkaBrokers;
  const admin = new Kafka({
    clientId: 'wirenotes-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { initialRetryTime: 100, maxRetryTime: 300, retries: 1 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (err) {
    const why =
      err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : err;
    throw new MissingServices([
      {
        name: 'kafka',
        ok: false,
        address: brokers.join(','),
        problem: `no Kafka metadata from ${brokers.join(', ')} (${String(why)})`,
        hint: 'start it with `npm run services -- up kafka`',
      },
    ]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The producer options every step uses: Java-compatible partitioner, no topic auto-creation. */
export const producerOptions = {
  createPartitioner: Partitioners.DefaultPartitioner,
  allowAutoTopicCreation: false,
} as const;

/** The session timeout of the demo's members; the crash step's doomed member uses a shorter one. */
export const SESSION_TIMEOUT_MS = 6000;

/** Consumer options that make joins and rebalances take well under a second. */
export function consumerOptions(groupId: string, sessionTimeout = SESSION_TIMEOUT_MS) {
  return {
    groupId,
    sessionTimeout,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
    metadataMaxAge: 2000,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 },
  };
}

/** Was `err` (or what it wraps) a failed connection to a broker? */
function connectionFailed(err: unknown): boolean {
  for (let e = err as { name?: string; cause?: unknown } | undefined, i = 0; e && i < 5; i++) {
    if (e.name === 'KafkaJSConnectionError') return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * The partitions of `topic`, by id, from any broker that answers. kafkajs 2.2.4 asks a broker
 * drawn at random from its cached metadata and connects to it outside its own try
 * (BrokerPool.withBroker, src/cluster/brokerPool.js:273-277): with a broker dead, the request
 * fails with ECONNREFUSED whenever the dead one is drawn first, though a live one would have
 * answered (1 in 6 right after killing 2 of 3 brokers, measured). So a connection error means
 * "draw again", a few times; any other error is the answer.
 */
export async function partitionsOf(admin: Admin, topic: string): Promise<PartitionMetadata[]> {
  for (let draw = 1; ; draw++) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const meta = topics.find((t: ITopicMetadata) => t.name === topic);
      if (!meta) throw new Error(`no metadata for topic ${topic}`);
      return [...meta.partitions].sort((a, b) => a.partitionId - b.partitionId);
    } catch (err) {
      if (draw >= 5 || !connectionFailed(err)) throw err;
    }
  }
}

/** Java's String.hashCode over UTF-16 code units, as the group coordinator hashes group ids. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The broker that coordinates `groupId`: the leader of __consumer_offsets partition
 * Utils.abs(groupId.hashCode()) % partitions (GroupCoordinator's partitionFor).
 */
export async function coordinatorOf(admin: Admin, groupId: string): Promise<number> {
  const partitions = await partitionsOf(admin, '__consumer_offsets');
  const h = javaStringHash(groupId);
  const abs = h === -2147483648 ? 0 : Math.abs(h);
  const p = partitions[abs % partitions.length];
  if (!p) throw new Error('__consumer_offsets has no partitions');
  return p.leader;
}

/**
 * Waits until every broker's own metadata names a leader for each of the `count` partitions of
 * `topic`. CreateTopics returns once the controller has committed the topic, but each broker
 * applies the metadata log on its own, and kafkajs sends a Metadata request to any broker it is
 * connected to: one that has not applied the topic yet answers UNKNOWN_TOPIC_OR_PARTITION
 * ("This server does not host this topic-partition"), which fails the send or the lookup. An
 * admin whose only seed is that broker asks that broker (it connects to no other for metadata).
 */
export async function knownByEveryBroker(admin: Admin, topic: string, count: number) {
  const { brokers } = await admin.describeCluster();
  await Promise.all(
    brokers.map(async (b) => {
      const one = new Kafka({
        clientId: 'wirenotes-metadata',
        brokers: [`${b.host}:${b.port}`],
        logLevel: logLevel.NOTHING,
        connectionTimeout: 1000,
        requestTimeout: 5000,
        retry: { retries: 0 },
      }).admin();
      await one.connect();
      try {
        await waitFor(`broker ${b.nodeId} to know ${topic}`, async () => {
          const parts = await partitionsOf(one, topic);
          return parts.length === count && parts.every((p) => p.leader >= 0) ? true : undefined;
        });
      } finally {
        await one.disconnect();
      }
    }),
  );
}
