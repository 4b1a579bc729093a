// A 3-node KRaft cluster of this run's own, for the steps that crash brokers. SIGKILL and SIGSTOP
// on the shared cluster would be felt by every other run (and a killed node's recovery is not a
// lease's to promise), so these steps start the same jars with the same settings
// (services/layout.ts) on free ports, in a scratch folder named after the run. The run stops it
// in its teardown (Ctrl-C included); a run that died leaves the folder, and the next run stops
// the JVMs it names.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { down, startNode, up } from '../../services/api.ts';
import { isolatedLayout } from '../../services/isolated.ts';
import { nodePid } from '../../services/kafka-native.ts';
import { quietKafkajsTimeouts } from '../../services/kafkajs-warnings.ts';
import { type KafkaNode, kafkaLibsDir, kafkaNodes, type Layout } from '../../services/layout.ts';
import { isStale } from '../kit/names.ts';
import { waitFor } from '../kit/wait.ts';

const PREFIX = 'wirenotes-';

export interface OwnCluster {
  layout: Layout;
  kafka: Kafka;
  /** Broker ids 1, 2, 3. */
  ids: number[];
  /** The JVM's pid of a running node. */
  pid(id: number): number;
  /** SIGKILL: the node dies at once, no controlled shutdown; resolves when the process is gone. */
  kill(id: number): Promise<void>;
  /** SIGSTOP / SIGCONT: the node is frozen (no fetches, no heartbeats) or runs again. */
  pause(id: number): void;
  resume(id: number): void;
  /** Starts a dead node again from its data; resolves when it is back in the metadata. */
  restart(id: number): Promise<void>;
  close(): Promise<void>;
}

function nodeOf(layout: Layout, id: number): KafkaNode {
  const node = layout.kafkaNodes.find((n) => n.id === id);
  if (!node) throw new Error(`no node ${id} in the run's own cluster`);
  return node;
}

/** Gone, or a zombie: a SIGKILLed JVM is reaped by whoever started it, perhaps later. */
function dead(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}

/** Starts the cluster (formatting fresh storage) and waits for all 3 brokers in the metadata. */
export async function startOwnCluster(
  run: string,
  report: (l: string) => void,
): Promise<OwnCluster> {
  const layout = await isolatedLayout(`${run}-`);
  const options = { layout, mode: 'native' as const, report };
  const stop = async () => {
    await down(['kafka'], { layout });
    rmSync(layout.dir, { recursive: true, force: true });
  };
  try {
    await up(['kafka'], options);
  } catch (err) {
    await stop();
    throw err;
  }
  quietKafkajsTimeouts();
  const kafka = new Kafka({
    clientId: run,
    brokers: layout.kafkaNodes.map((n) => `${n.host}:${n.clientPort}`),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    // Longer than any acks timeout a step sets: the broker, not the client, must end the wait.
    requestTimeout: 60_000,
    retry: { initialRetryTime: 100, maxRetryTime: 1000, retries: 8 },
  });
  const pid = (id: number) => {
    const p = nodePid(layout, nodeOf(layout, id));
    if (p === undefined) throw new Error(`node ${id} of the run's own cluster is not running`);
    return p;
  };
  return {
    layout,
    kafka,
    ids: layout.kafkaNodes.map((n) => n.id),
    pid,
    kill: async (id) => {
      const p = pid(id);
      process.kill(p, 'SIGKILL');
      await waitFor(`node ${id} (pid ${p}) to die`, () => (dead(p) ? true : undefined), {
        intervalMs: 20,
      });
    },
    pause: (id) => process.kill(pid(id), 'SIGSTOP'),
    resume: (id) => process.kill(pid(id), 'SIGCONT'),
    restart: (id) => startNode(`kafka-${id}`, options),
    close: stop,
  };
}

/**
 * Stops the JVMs of own clusters whose run is gone (its folder is `wirenotes-<run name>-…` in
 * the temp folder) and removes their folders; returns how many it found.
 */
export async function sweepOwnClusters(): Promise<number> {
  const leftovers = readdirSync(tmpdir()).filter(
    (f) => f.startsWith(`${PREFIX}wn_kafka_`) && isStale(f.slice(PREFIX.length), 'kafka', Infinity),
  );
  for (const f of leftovers) {
    // The ports do not matter to `down`: it stops the pids the folder's records name.
    const layout: Layout = {
      dir: join(tmpdir(), f),
      libsDir: kafkaLibsDir(),
      kafkaNodes: kafkaNodes(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3']),
    };
    await down(['kafka'], { layout });
    rmSync(layout.dir, { recursive: true, force: true });
  }
  return leftovers.length;
}
