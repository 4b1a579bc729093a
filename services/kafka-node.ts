// One Kafka node at a time, for failover demos: `npm run services -- stop kafka-2` / `start
// kafka-2`, on the path that started the cluster (native pid, or `docker compose stop/start`),
// under the services lock. A demo that calls these holds the exclusive `kafka` lease (lease.ts).

import { UsageError } from '../demos/kit/args.ts';
import { prepare } from './adopt.ts';
import { compose } from './docker.ts';
import {
  exitedError,
  nodePid,
  recordedPid,
  staleError,
  startNodes,
  stopNodes,
} from './kafka-native.ts';
import { brokersInMetadata, waitForBrokers } from './kafka-probe.ts';
import type { KafkaNode, Layout } from './layout.ts';
import { portOpen, ServiceError } from './proc.ts';
import { KAFKA_READY_MS, nodeAddress } from './readiness.ts';
import { type Options, readState, withServicesLock } from './state.ts';

export function findNode(name: string, layout: Layout): KafkaNode {
  const node = layout.kafkaNodes.find((n) => n.name === name);
  if (!node) {
    throw new UsageError(
      `unknown Kafka node "${name}" (known: ${layout.kafkaNodes.map((n) => n.name).join(', ')})`,
    );
  }
  return node;
}

/** Stops one Kafka node; resolves when its process is gone. */
export async function stopNode(name: string, options: Options = {}): Promise<void> {
  const { layout, report } = await prepare(options);
  const node = findNode(name, layout);
  await withServicesLock(
    layout,
    async () => {
      if (nodePid(layout, node) !== undefined) {
        await stopNodes(layout, [node], 'keep');
        return;
      }
      if (readState(layout).units[node.name]?.via === 'docker') {
        await compose(layout, ['stop', node.name]);
        return;
      }
      if (await portOpen(node.host, node.clientPort, 500)) {
        throw new ServiceError(
          `${name} (${nodeAddress(node)}) was not started by \`npm run services\` (no record in ${layout.dir}): stop it where it was started`,
        );
      }
    },
    report,
  );
}

/** Starts one Kafka node; resolves when it is back in the metadata. */
export async function startNode(name: string, options: Options = {}): Promise<void> {
  const { layout, report } = await prepare(options);
  const node = findNode(name, layout);
  await withServicesLock(layout, () => startLocked(layout, node, report), report);
}

async function startLocked(layout: Layout, node: KafkaNode, report: (l: string) => void) {
  const name = node.name;
  let exit: number | null | undefined;
  if (readState(layout).units[node.name]?.via === 'docker') {
    await compose(layout, ['start', node.name]);
  } else if (nodePid(layout, node) === undefined) {
    if (recordedPid(layout, node) !== undefined) throw staleError(layout, [node]);
    const seen = (await brokersInMetadata(layout.kafkaNodes)) ?? [];
    if (!seen.includes(node.id)) {
      const [started] = await startNodes(layout, [node], report);
      void started?.exited.then((code) => {
        exit = code;
      });
    }
  }
  report(`${name}: waiting for node ${node.id} in a metadata request`);
  const ok = await waitForBrokers(layout.kafkaNodes, [node.id], KAFKA_READY_MS, () => {
    if (exit !== undefined) throw exitedError(layout, node, exit);
  });
  if (!ok) throw new ServiceError(`${name}: not back in metadata after ${KAFKA_READY_MS / 1000} s`);
}
