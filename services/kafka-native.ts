// The native Kafka path: Apache Kafka's jars from Maven Central (fetched once into the cache),
// storage formatted with kafka.tools.StorageTool, one `java -Xmx512m … kafka.Kafka` per node,
// each with its own data folder and log file under <state>/kafka/kafka-N/ and a record in the
// services' state (state.ts) naming its pid.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkJava, ensureJars, run } from './kafka-jars.ts';
import {
  KAFKA_CLUSTER_ID,
  KAFKA_HEAP,
  type KafkaNode,
  type Layout,
  nodeDir,
  nodeProperties,
} from './layout.ts';
import { writeAtomic } from './lock.ts';
import { alive, canBind, ServiceError, spawnDetached, tail, terminate } from './proc.ts';
import { forget, readState, remember, updateState } from './state.ts';

type Report = (line: string) => void;

const LOG4J2 = `# Written by services/kafka-native.ts: broker logs go to stdout, which is the node's log file.
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = SYSTEM_OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
`;

function propertiesFile(layout: Layout, node: KafkaNode): string {
  return join(nodeDir(layout, node), 'server.properties');
}

function logFile(layout: Layout, node: KafkaNode): string {
  return join(nodeDir(layout, node), 'kafka.log');
}

/** What identifies this node's java process on its command line. */
function marker(layout: Layout, node: KafkaNode): string {
  return propertiesFile(layout, node);
}

/** The live pid this state folder recorded for the node, whatever ports it was started on. */
export function recordedPid(layout: Layout, node: KafkaNode): number | undefined {
  const pid = readState(layout).units[node.name]?.pid;
  return pid !== undefined && alive(pid, marker(layout, node)) ? pid : undefined;
}

/** True when the node's server.properties on disk is the one this layout would write. */
function configMatches(layout: Layout, node: KafkaNode): boolean {
  try {
    return readFileSync(propertiesFile(layout, node), 'utf8') === serverProperties(layout, node);
  } catch {
    return false;
  }
}

/** The live pid of this node as this layout configures it (same ports and settings). */
export function nodePid(layout: Layout, node: KafkaNode): number | undefined {
  const pid = recordedPid(layout, node);
  return pid !== undefined && configMatches(layout, node) ? pid : undefined;
}

/** Nodes this state folder started with another configuration (other KAFKA_BROKERS, settings). */
export function staleNodes(layout: Layout): KafkaNode[] {
  return layout.kafkaNodes.filter(
    (n) => recordedPid(layout, n) !== undefined && !configMatches(layout, n),
  );
}

/** The server.properties text the native launcher writes for one node. */
export function serverProperties(layout: Layout, node: KafkaNode): string {
  const props = {
    ...nodeProperties(node, layout.kafkaNodes),
    'log.dirs': join(nodeDir(layout, node), 'data'),
  };
  const text = Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  return `# Written by services/kafka-native.ts\n${text}\n`;
}

function writeConfig(layout: Layout, node: KafkaNode): void {
  writeAtomic(propertiesFile(layout, node), serverProperties(layout, node));
  writeAtomic(join(layout.dir, 'kafka', 'log4j2.properties'), LOG4J2);
}

function classpath(layout: Layout): string {
  return join(layout.libsDir, '*');
}

async function format(java: string, layout: Layout, node: KafkaNode): Promise<void> {
  if (existsSync(join(nodeDir(layout, node), 'data', 'meta.properties'))) return;
  const { code, out } = await run(java, [
    '-cp',
    classpath(layout),
    `-Dlog4j2.configurationFile=${join(layout.dir, 'kafka', 'log4j2.properties')}`,
    'kafka.tools.StorageTool',
    'format',
    '-t',
    KAFKA_CLUSTER_ID,
    '-c',
    propertiesFile(layout, node),
    '--ignore-formatted',
  ]);
  if (code !== 0) {
    throw new ServiceError(
      `formatting ${node.name}'s storage failed (exit ${code}): ${out.trim().split('\n').slice(-3).join(' ')}`,
    );
  }
}

/** Fails with the port's number when something that is not this node holds one of its ports. */
async function checkPortsFree(node: KafkaNode): Promise<void> {
  for (const [port, what] of [
    [node.clientPort, 'client'],
    [node.controllerPort, 'controller'],
  ] as const) {
    if (!(await canBind(node.host, port))) {
      throw new ServiceError(
        `port ${port} (${node.name}'s ${what} port) is held by another process: free it, or set KAFKA_BROKERS to other ports`,
      );
    }
  }
}

export interface StartedNode {
  node: KafkaNode;
  pid: number;
  /** Resolves if the process exits while we watch it start. */
  exited: Promise<number | null>;
  dir: string;
}

/** Starts the given nodes' processes (formatting storage first); does not wait for readiness. */
export async function startNodes(
  layout: Layout,
  nodes: KafkaNode[],
  report: Report,
): Promise<StartedNode[]> {
  const java = await checkJava();
  await ensureJars(layout, report);
  for (const node of nodes) await checkPortsFree(node);
  for (const node of nodes) writeConfig(layout, node);
  await Promise.all(nodes.map((node) => format(java, layout, node)));
  const started = nodes.map((node) => {
    const dir = nodeDir(layout, node);
    const log = logFile(layout, node);
    writeFileSync(log, '');
    const { pid, exited } = spawnDetached(
      java,
      [
        KAFKA_HEAP,
        '-XX:TieredStopAtLevel=1',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dkafka.logs.dir=${dir}`,
        `-Dlog4j2.configurationFile=${join(layout.dir, 'kafka', 'log4j2.properties')}`,
        '-cp',
        classpath(layout),
        'kafka.Kafka',
        propertiesFile(layout, node),
      ],
      log,
      dir,
    );
    return { node, pid, exited, dir };
  });
  for (const s of started) {
    await remember(layout, s.node.name, {
      service: 'kafka',
      via: 'native',
      pid: s.pid,
      marker: marker(layout, s.node),
      dir: s.dir,
      address: `${s.node.host}:${s.node.clientPort}`,
    });
  }
  return started;
}

/** The error for a node whose process ended during start, with the tail of its log. */
export function exitedError(layout: Layout, node: KafkaNode, code: number | null): ServiceError {
  return new ServiceError(
    `${node.name} exited during start (code ${code}); last lines of ${logFile(layout, node)}:\n${tail(logFile(layout, node))}`,
  );
}

/**
 * Stops the given nodes (SIGTERM: a controlled shutdown; SIGKILL after the grace period). `down`
 * forgets them; `stop kafka-N` keeps the record without a pid, so `start` reuses its folder
 * (its data: a node that came back empty would have lost its replicas).
 */
export async function stopNodes(
  layout: Layout,
  nodes: KafkaNode[],
  how: 'forget' | 'keep',
  graceMs = 20_000,
): Promise<number> {
  const running = nodes
    .map((node) => ({ node, pid: recordedPid(layout, node) }))
    .filter((r): r is { node: KafkaNode; pid: number } => r.pid !== undefined);
  await Promise.all(running.map((r) => terminate(r.pid, marker(layout, r.node), graceMs)));
  if (how === 'forget')
    await forget(
      layout,
      nodes.map((n) => n.name),
    );
  else {
    await updateState(layout, (s) => {
      for (const n of nodes) {
        const r = s.units[n.name];
        if (r) delete r.pid;
      }
    });
  }
  return running.length;
}

/** Why nodes recorded with another configuration block a start: other ports, or other settings. */
export function staleError(layout: Layout, stale: KafkaNode[]): ServiceError {
  const units = readState(layout).units;
  const running = stale.map((n) => units[n.name]?.address ?? n.name).join(',');
  const from = units[stale[0]?.name ?? '']?.checkout ?? 'another checkout';
  const wanted = layout.kafkaNodes.map((n) => `${n.host}:${n.clientPort}`).join(',');
  if (running !== wanted) {
    return new ServiceError(
      `the services' Kafka runs on ${running} (started from ${from.replace(/\/$/, '')}), not there: unset KAFKA_BROKERS to use it, or \`npm run services -- down kafka\` to start one at KAFKA_BROKERS`,
    );
  }
  return new ServiceError(
    `kafka: ${stale.map((n) => n.name).join(', ')} run with other settings than services/layout.ts now has (started from ${from}): restart them with \`npm run services -- down kafka\` then \`up kafka\``,
  );
}
