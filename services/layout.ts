// Where the services live and how they are configured: versions, ports, node ids, the Kafka
// settings that docker-compose.yml repeats (services/compose.test.ts keeps the two equal), and the
// per-user state folder (WIRENOTES_STATE_DIR, default $XDG_STATE_HOME/wirenotes) that holds state,
// data, logs and the generated certs; the Kafka jars live in the per-user cache.

import { join } from 'node:path';
import { UsageError } from '../demos/kit/args.ts';
import { endpoints } from '../demos/kit/endpoints.ts';
import { ROOT } from '../demos/kit/paths.ts';
import { cacheDir, splitHostPort, stateDir } from '../demos/kit/variables.ts';
import { readState } from './state.ts';

export const KAFKA_VERSION = '4.1.2';
/** Kafka 4.x logs through SLF4J 1.7 into Log4j2; the core POM ships no binding. */
export const LOG4J_VERSION = '2.25.3';
/** One fixed KRaft cluster id (22 characters of base64url), the same for compose and native. */
export const KAFKA_CLUSTER_ID = 'd2lyZW5vdGVzLWthZmthMQ';
/** A node's KRaft controller port is its client port plus this. */
export const CONTROLLER_PORT_OFFSET = 10_000;
export const KAFKA_HEAP = '-Xmx512m';

/** Cluster-wide broker settings; every node gets exactly these plus its own id and listeners. */
const KAFKA_SETTINGS: Record<string, string> = {
  'process.roles': 'broker,controller',
  'controller.listener.names': 'CONTROLLER',
  'inter.broker.listener.name': 'CLIENT',
  'listener.security.protocol.map': 'CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT',
  // The default is 3000 ms: a lone first member would wait that long for company.
  'group.initial.rebalance.delay.ms': '0',
  // Demos create their topics explicitly, so a typo cannot silently create a new one.
  'auto.create.topics.enable': 'false',
  'num.partitions': '1',
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  'offsets.topic.replication.factor': '3',
  // One offsets partition: every group has the same coordinator (its leader), and the first
  // coordinator lookup does not wait for 50 partitions to be created.
  'offsets.topic.num.partitions': '1',
  'transaction.state.log.replication.factor': '3',
  'transaction.state.log.min.isr': '2',
  'transaction.state.log.num.partitions': '1',
  'share.coordinator.state.topic.replication.factor': '3',
  'share.coordinator.state.topic.min.isr': '2',
  // The default minimum is 6000 ms; demos use short sessions to show a crashed member leaving.
  'group.min.session.timeout.ms': '1000',
  // A restarted node is refused (DuplicateBrokerRegistrationException) until its previous
  // session expires, and a killed node is fenced only then: 4 s instead of the default 9 s.
  'broker.session.timeout.ms': '4000',
  'broker.heartbeat.interval.ms': '1000',
  'num.network.threads': '2',
  'num.io.threads': '2',
};

export interface KafkaNode {
  id: number;
  name: string;
  host: string;
  clientPort: number;
  controllerPort: number;
}

export interface Layout {
  /** Everything this command writes: state, data, logs, pid files, certs. */
  dir: string;
  /** The fetched Kafka jars (shared by every layout, fetched once). */
  libsDir: string;
  kafkaNodes: KafkaNode[];
}

/** Where a checkout kept its services before they became per-user (adopted on first use). */
export const LEGACY_DIR = join(ROOT, '.cache', 'services');
export const NGINX_CONF = join(ROOT, 'services', 'nginx', 'nginx.conf');
export const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

export function kafkaNodes(brokers: string[]): KafkaNode[] {
  if (brokers.length !== 3) {
    throw new UsageError(
      `KAFKA_BROKERS: ${brokers.length} addresses given; expected 3 (host:port,host:port,host:port), one per node of the cluster`,
    );
  }
  return brokers.map((b, i) => {
    const { host, port } = splitHostPort(b);
    return {
      id: i + 1,
      name: `kafka-${i + 1}`,
      host,
      clientPort: port,
      controllerPort: port + CONTROLLER_PORT_OFFSET,
    };
  });
}

/** The jars of this Kafka version, fetched once per user. */
export function kafkaLibsDir(): string {
  return join(cacheDir(), 'kafka', `libs-${KAFKA_VERSION}`);
}

/** The layout `npm run services` uses: the per-user state folder and KAFKA_BROKERS. */
export function defaultLayout(): Layout {
  return {
    dir: stateDir(),
    libsDir: kafkaLibsDir(),
    kafkaNodes: kafkaNodes(endpoints.kafkaBrokers),
  };
}

/** Every property of one node's server.properties (log.dirs aside, which is per path). */
export function nodeProperties(node: KafkaNode, all: KafkaNode[]): Record<string, string> {
  return {
    'node.id': String(node.id),
    'controller.quorum.voters': all.map((n) => `${n.id}@${n.host}:${n.controllerPort}`).join(','),
    listeners: `CLIENT://${node.host}:${node.clientPort},CONTROLLER://${node.host}:${node.controllerPort}`,
    'advertised.listeners': `CLIENT://${node.host}:${node.clientPort}`,
    ...KAFKA_SETTINGS,
  };
}

/** A node's folder (config, data, log): where its record says it runs, else a fresh one. */
export function nodeDir(layout: Layout, node: KafkaNode): string {
  return readState(layout).units[node.name]?.dir ?? join(layout.dir, 'kafka', node.name);
}

export function nginxDir(layout: Layout): string {
  return readState(layout).units.nginx?.dir ?? join(layout.dir, 'nginx');
}
