// Is the cluster really up? A metadata request (kafkajs admin.describeCluster) through any of the
// given brokers tells which node ids are registered and unfenced right now.

import { Kafka, logLevel } from 'kafkajs';
import type { KafkaNode } from './layout.ts';
import { waitFor } from './proc.ts';

let quietened = false;

/**
 * kafkajs 2.2.4 passes a negative delay to setTimeout (its request queue schedules
 * `throttledUntil - Date.now()` while no throttle is set; tulios/kafkajs#1751), and Node 24+
 * reports each one as a TimeoutNegativeWarning on stderr. The delay is harmless (Node uses 1 ms, as kafkajs
 * meant), so that one warning type is dropped; every other warning still prints.
 */
export function quietKafkajsTimeouts(): void {
  if (quietened) return;
  quietened = true;
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string })?.type;
    if (type === 'TimeoutNegativeWarning') return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

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
