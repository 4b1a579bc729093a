// Is the cluster really up? A metadata request (kafkajs admin.describeCluster) through any of the
// given brokers tells which node ids are registered and unfenced right now.

import { Kafka, logLevel } from 'kafkajs';
import { quietKafkajsTimeouts } from './kafkajs-warnings.ts';
import type { KafkaNode } from './layout.ts';
import { waitFor } from './proc.ts';

async function askOne(address: string, timeoutMs: number): Promise<number[] | undefined> {
  quietKafkajsTimeouts();
  const kafka = new Kafka({
    clientId: 'wirenotes-services',
    brokers: [address],
    connectionTimeout: Math.min(timeoutMs, 1000),
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    return brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The node ids a metadata request returns, or undefined when no broker answered. Every node is
 * asked at once (one stopped node must not hide the others); the fullest answer wins.
 */
export async function brokersInMetadata(
  nodes: KafkaNode[],
  timeoutMs = 2000,
): Promise<number[] | undefined> {
  const answers = await Promise.all(
    nodes.map((n) => askOne(`${n.host}:${n.clientPort}`, timeoutMs)),
  );
  let best: number[] | undefined;
  for (const a of answers) if (a && (!best || a.length > best.length)) best = a;
  return best;
}

/** Waits until every wanted node id is in the metadata (or `check()` throws, or time runs out). */
export async function waitForBrokers(
  nodes: KafkaNode[],
  wanted: number[],
  timeoutMs: number,
  check: () => void = () => undefined,
  onChange: (seen: number[]) => void = () => undefined,
): Promise<number[] | undefined> {
  let seen: number[] | undefined;
  let last = '';
  const ok = await waitFor(
    async () => {
      check();
      seen = await brokersInMetadata(nodes);
      const now = (seen ?? []).join(',');
      if (now !== last) onChange(seen ?? []);
      last = now;
      return seen !== undefined && wanted.every((id) => seen?.includes(id));
    },
    timeoutMs,
    250,
  );
  return ok ? seen : undefined;
}
