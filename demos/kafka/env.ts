// What the steps share: one kafkajs client and admin, the run's unique suffix, and the topics
// and groups to delete at teardown.

import type { Admin, Kafka, Producer, ProducerConfig } from 'kafkajs';
import type { StepContext } from '../kit/define.ts';
import { runSuffix } from '../kit/services.ts';
import { checkKafka, createKafka, partitionsOf, producerOptions, waitFor } from './client.ts';
import { Group } from './group.ts';

export interface Env {
  kafka: Kafka;
  admin: Admin;
  suffix: string;
  topics: Set<string>;
  groups: Set<string>;
}

export async function openEnv(): Promise<Env> {
  await checkKafka();
  const suffix = runSuffix();
  const kafka = createKafka(`wirenotes-${suffix}`);
  const admin = kafka.admin();
  await admin.connect();
  return { kafka, admin, suffix, topics: new Set(), groups: new Set() };
}

export async function closeEnv(env: Env): Promise<void> {
  try {
    if (env.groups.size) {
      // Only groups that exist can be deleted; a step that failed early may not have made its own.
      const { groups } = await env.admin.listGroups();
      const ours = groups.map((g) => g.groupId).filter((g) => env.groups.has(g));
      if (ours.length) await env.admin.deleteGroups(ours);
    }
    if (env.topics.size) await env.admin.deleteTopics({ topics: [...env.topics], timeout: 10_000 });
  } finally {
    await env.admin.disconnect();
  }
}

export function name(env: Env, what: string): string {
  return `wirenotes-${what}-${env.suffix}`;
}

export interface TopicSpec {
  partitions?: number;
  /** Broker ids per partition, first one the preferred (and initial) leader. */
  assignment?: number[][];
  config?: Record<string, string>;
}

type CreateTopicsOptions = Parameters<Admin['createTopics']>[0];

/** createTopics, with kafkajs's "Topic creation errors" aggregate spelled out. */
async function createTopic(env: Env, options: CreateTopicsOptions): Promise<void> {
  try {
    await env.admin.createTopics(options);
  } catch (err) {
    const inner = (err as { errors?: { type?: string; message?: string }[] }).errors;
    if (!inner?.length) throw err;
    const what = inner.map((e) => `${e.type ?? 'error'}: ${e.message}`).join('; ');
    throw new Error(`createTopics failed: ${what}`);
  }
}

/** Creates this run's topic `what` (once) with RF 3, and waits until every partition has a leader. */
export async function ensureTopic(env: Env, what: string, spec: TopicSpec = {}): Promise<string> {
  const topic = name(env, what);
  if (env.topics.has(topic)) return topic;
  env.topics.add(topic);
  const configEntries = Object.entries(spec.config ?? {}).map(([n, value]) => ({ name: n, value }));
  await createTopic(env, {
    waitForLeaders: true,
    topics: [
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
    ],
  });
  const count = spec.assignment?.length ?? spec.partitions ?? 3;
  await waitFor(`leaders for ${count} partitions of ${topic}`, async () => {
    const parts = await partitionsOf(env.admin, topic);
    return parts.length === count && parts.every((p) => p.leader >= 0) ? true : undefined;
  });
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

/** Broker ids the cluster reports, ascending. */
export async function brokerIds(env: Env): Promise<number[]> {
  const { brokers } = await env.admin.describeCluster();
  return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
}
