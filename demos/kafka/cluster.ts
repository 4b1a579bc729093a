// What a step does on the shared cluster: hold the lease that keeps another run from stopping a
// broker under it, and create this run's topics, groups and producers, each named after the run
// and cleaned up when the step (producers, group members) or the run (topics, groups) ends.

import type { Admin, Producer, ProducerConfig } from 'kafkajs';
import type { StepContext } from '../kit/define.ts';
import { waitFor } from '../kit/wait.ts';
import { knownByEveryBroker, partitionsOf, producerOptions } from './client.ts';
import type { Env } from './env.ts';
import { Group } from './group.ts';
import { holdBrokers, type LeaseMode } from './lease.ts';

/**
 * The first thing every step does: hold the brokers (`shared` to use them, `exclusive` to stop
 * one) until the step ends, and, in the first step of a run, tell what the sweep removed.
 */
export async function useCluster(t: StepContext, env: Env, mode: LeaseMode): Promise<void> {
  if (!env.swept.told) {
    env.swept.told = true;
    const { topics, groups, clusters } = env.swept;
    const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
    t.say(
      `swept ${count(topics.length, 'topic')} and ${count(groups.length, 'group')} left by dead ` +
        'runs (wn_kafka_… names whose process is gone or that are over 10 minutes old)' +
        (clusters ? `, and stopped ${count(clusters, 'own cluster')} of dead runs` : ''),
    );
  }
  await holdBrokers(t, mode);
}

export function name(env: Env, what: string): string {
  return `${env.run}_${what}`;
}

interface TopicSpec {
  partitions?: number;
  /** Broker ids per partition, first one the preferred (and initial) leader. */
  assignment?: number[][];
  config?: Record<string, string>;
}

type TopicConfig = Parameters<Admin['createTopics']>[0]['topics'][number];

/**
 * Creates one topic and returns once every broker can serve it. kafkajs's own `waitForLeaders`
 * is not that: it asks one broker for metadata and gives up (not retried) when that broker has
 * not applied the new topic yet, which under load fails the step with "This server does not
 * host this topic-partition". So: create without it, then wait for each leader to answer
 * ListOffsets and for every broker's metadata to name the leaders.
 */
export async function createTopic(admin: Admin, config: TopicConfig, count: number): Promise<void> {
  try {
    await admin.createTopics({ waitForLeaders: false, topics: [config] });
  } catch (err) {
    // kafkajs's "Topic creation errors" aggregate, spelled out.
    const inner = (err as { errors?: { type?: string; message?: string }[] }).errors;
    if (!inner?.length) throw err;
    const what = inner.map((e) => `${e.type ?? 'error'}: ${e.message}`).join('; ');
    throw new Error(`createTopics failed: ${what}`);
  }
  await servedEverywhere(admin, config.topic, count);
}

/** Waits until `topic` has `count` partitions whose leaders serve them, known to every broker. */
export async function servedEverywhere(admin: Admin, topic: string, count: number): Promise<void> {
  await waitFor(`leaders for ${count} partitions of ${topic}`, async () => {
    const parts = await partitionsOf(admin, topic);
    if (parts.length !== count || parts.some((p) => p.leader < 0)) return undefined;
    // The metadata may name a leader that has not applied the new partition yet (a broker just
    // restarted answers UNKNOWN_TOPIC_OR_PARTITION): ListOffsets goes to each leader itself.
    await admin.fetchTopicOffsets(topic);
    return true;
  });
  await knownByEveryBroker(admin, topic, count);
}

/** Creates this run's topic `what` (once) with RF 3, and waits until every broker serves it. */
export async function ensureTopic(env: Env, what: string, spec: TopicSpec = {}): Promise<string> {
  const topic = name(env, what);
  if (env.topics.has(topic)) return topic;
  env.topics.add(topic);
  const configEntries = Object.entries(spec.config ?? {}).map(([n, value]) => ({ name: n, value }));
  await createTopic(
    env.admin,
    spec.assignment
      ? {
          topic,
          replicaAssignment: spec.assignment.map((replicas, partition) => ({
            partition,
            replicas,
          })),
          configEntries,
        }
      : { topic, numPartitions: spec.partitions ?? 3, replicationFactor: 3, configEntries },
    spec.assignment?.length ?? spec.partitions ?? 3,
  );
  return topic;
}

/** A connected producer that the step disconnects when it ends. */
export async function producer(
  t: StepContext,
  env: Env,
  options: Partial<ProducerConfig> = {},
): Promise<Producer> {
  const p = env.kafka.producer({ ...producerOptions, ...options });
  await p.connect();
  t.defer(() => p.disconnect());
  return p;
}

/** A consumer group on `topic` whose members the step disconnects when it ends. */
export function group(
  t: StepContext,
  env: Env,
  what: string,
  topic: string,
  partitions: number,
): Group {
  const id = name(env, what);
  env.groups.add(id);
  const g = new Group(env.kafka, env.admin, id, topic, partitions);
  t.defer(() => g.close());
  return g;
}

/** One acks=all record per key, each sent on its own (keys chosen one per partition). */
export async function sendOnePerPartition(
  p: Producer,
  topic: string,
  keys: string[],
  value: string,
) {
  for (const key of keys) await p.send({ topic, acks: -1, messages: [{ key, value }] });
}

/** Broker ids the cluster reports, ascending. */
export async function brokerIds(env: Env): Promise<number[]> {
  const { brokers } = await env.admin.describeCluster();
  return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
}
