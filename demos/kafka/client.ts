// kafkajs wired for a demo: tight timeouts, logs collected instead of printed, and the small
// waits the steps need (metadata until a condition holds, with a deadline).

import {
  type Admin,
  type ITopicMetadata,
  Kafka,
  type logCreator,
  logLevel,
  Partitioners,
  type PartitionMetadata,
} from 'kafkajs';
import { MissingServices } from '../kit/run.ts';
import { endpoints } from '../kit/services.ts';

/** kafkajs log lines, kept (not printed) so a failing step can show the last few. */
export const kafkaLog: string[] = [];

const collect: logCreator = () => (entry) => {
  if (entry.level > logLevel.WARN) return;
  kafkaLog.push(`${entry.namespace}: ${entry.log.message}`);
  if (kafkaLog.length > 200) kafkaLog.splice(0, kafkaLog.length - 200);
};

export function createKafka(clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: endpoints.kafkaBrokers,
    logLevel: logLevel.WARN,
    logCreator: collect,
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
  const brokers = endpoints.kafkaBrokers;
  const admin = new Kafka({
    clientId: 'wirenotes-probe',
    brokers,
    logLevel: logLevel.WARN,
    logCreator: collect,
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

/** Consumer options that make joins and rebalances take well under a second. */
export function consumerOptions(groupId: string) {
  return {
    groupId,
    sessionTimeout: 6000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 300,
    maxWaitTimeInMs: 100,
    metadataMaxAge: 2000,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 },
  };
}

export class Timeout extends Error {
  override name = 'Timeout';
}

/**
 * Re-evaluates `probe` until it returns a value other than undefined, or throws Timeout naming
 * `what`. For states the cluster reaches without telling us (leader elected, ISR grown):
 * each round is a real request, spaced by `intervalMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Timeout(`gave up after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function partitionsOf(admin: Admin, topic: string): Promise<PartitionMetadata[]> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const meta = topics.find((t: ITopicMetadata) => t.name === topic);
  if (!meta) throw new Error(`no metadata for topic ${topic}`);
  return [...meta.partitions].sort((a, b) => a.partitionId - b.partitionId);
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

/** Offsets as kafkajs returns them (strings) → numbers. */
export const num = (s: string | number): number => Number(s);
