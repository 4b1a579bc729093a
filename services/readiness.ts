// Is a service ready right now? Kafka: every node id in a metadata request; databases: SELECT 1;
// nginx: GET /healthz answers 200 and the TLS port accepts. Each check returns why not, or
// undefined when ready.

import { endpoints } from '../demos/kit/endpoints.ts';
import { databaseAddress, selectOne } from './databases.ts';
import { brokersInMetadata } from './kafka-probe.ts';
import type { KafkaNode, Layout } from './layout.ts';
import { nginxPorts } from './nginx-native.ts';
import { portOpen } from './proc.ts';

/** The services with a built-in path (the rest are native launchers, launcher.ts). */
export type CoreService = 'kafka' | 'postgres' | 'mariadb' | 'nginx';

/** How long `up` and `start` wait for brokers to appear in the metadata. */
export const KAFKA_READY_MS = 120_000;

export function nodeAddress(n: KafkaNode): string {
  return `${n.host}:${n.clientPort}`;
}

export async function nginxProblem(): Promise<string | undefined> {
  try {
    const res = await fetch(new URL('/healthz', endpoints.nginxUrl), {
      signal: AbortSignal.timeout(1500),
    });
    await res.arrayBuffer();
    if (res.status !== 200) return `GET /healthz answered ${res.status}`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return `GET ${endpoints.nginxUrl}/healthz failed (${cause ?? (err as Error).message})`;
  }
  const tls = nginxPorts()[1] as { host: string; port: number };
  if (!(await portOpen(tls.host, tls.port, 1000))) return `TLS port ${tls.port} does not accept`;
  return undefined;
}

/** Why a service is not ready right now, or undefined when it is. */
export async function notReady(service: CoreService, layout: Layout): Promise<string | undefined> {
  switch (service) {
    case 'kafka': {
      const seen = await brokersInMetadata(layout.kafkaNodes);
      const missing = layout.kafkaNodes.filter((n) => !seen?.includes(n.id));
      return missing.length
        ? `not in metadata: ${missing.map((n) => `${n.name} (${nodeAddress(n)})`).join(', ')}`
        : undefined;
    }
    case 'postgres':
    case 'mariadb':
      return selectOne(service);
    case 'nginx':
      return nginxProblem();
  }
}

export function address(service: CoreService, layout: Layout): string {
  switch (service) {
    case 'kafka':
      return layout.kafkaNodes.map(nodeAddress).join(',');
    case 'postgres':
    case 'mariadb':
      return databaseAddress(service);
    case 'nginx':
      return nginxPorts()
        .map((p) => `${p.host}:${p.port}`)
        .join(',');
  }
}
