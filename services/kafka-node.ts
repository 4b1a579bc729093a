// One Kafka node at a time, for failover demos: `npm run services -- stop kafka-2` / `start
// kafka-2`, on the path that started the cluster (native pid, or `docker compose stop/start`).

import { UsageError } from '../demos/kit/args.ts';
import { compose } from './docker.ts';
import { exitedError, nodePid, recordedPid, startNodes, stopNodes } from './kafka-native.ts';
import { brokersInMetadata, waitForBrokers } from './kafka-probe.ts';
import { defaultLayout, type KafkaNode, type Layout } from './layout.ts';
import { portOpen, ServiceError } from './proc.ts';
import { KAFKA_READY_MS, nodeAddress } from './readiness.ts';
import { type Options, readState } from './state.ts';

function findNode(name: string, layout: Layout): KafkaNode {
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
  const layout = options.layout ?? defaultLayout();
  const node = findNode(name, layout);
  if (nodePid(layout, node) !== undefined) {
    await stopNodes(layout, [node]);
    return;
  }
  if (readState(layout).docker.includes('kafka')) {
    await compose(['stop', node.name]);
    return;
  }
  if (await portOpen(node.host, node.clientPort, 500)) {
    throw new ServiceError(
      `${name} (${nodeAddress(node)}) was not started by \`npm run services\`: stop it where it was started`,
    );
  }
}

/** Starts one Kafka node; resolves when it is back in the metadata. */
export async function startNode(name: string, options: Options = {}): Promise<void> {
  const layout = options.layout ?? defaultLayout();
  const report = options.report ?? (() => undefined);
  const node = findNode(name, layout);
  let exit: number | null | undefined;
  if (readState(layout).docker.includes('kafka')) {
    await compose(['start', node.name]);
  } else if (nodePid(layout, node) === undefined) {
    if (recordedPid(layout, node) !== undefined) {
      throw new ServiceError(
        `${name} still runs with another configuration (other KAFKA_BROKERS or settings): \`npm run services -- down kafka\` under the environment that started it`,
      );
    }
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
