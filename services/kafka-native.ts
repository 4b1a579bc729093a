// The native Kafka path: Apache Kafka's jars from Maven Central (fetched once into the cache),
// storage formatted with kafka.tools.StorageTool, one `java -Xmx512m … kafka.Kafka` per node,
// each with its own data folder, log file and pid file under .cache/services/kafka/kafka-N/.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  KAFKA_CLUSTER_ID,
  KAFKA_HEAP,
  KAFKA_VERSION,
  type KafkaNode,
  type Layout,
  LOG4J_VERSION,
  nodeDir,
  nodeProperties,
} from './layout.ts';
import { livePid, ServiceError, spawnDetached, tail, terminate, which } from './proc.ts';

type Report = (line: string) => void;

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by services/kafka-native.ts: the jars a KRaft broker needs, without the tarball. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>wirenotes</groupId>
  <artifactId>kafka-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>${KAFKA_VERSION}</version>
    </dependency>
    <dependency>
      <!-- Kafka 4.x stays on SLF4J 1.7: this is the binding to Log4j2 (not log4j-slf4j2-impl). -->
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>${LOG4J_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;

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

/** Runs a command to completion, collecting its output. */
function run(
  command: string,
  args: string[],
  cwd?: string,
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('error', (err) => resolve({ code: 127, out: err.message }));
    child.once('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Java 17+ on PATH, or a ServiceError saying what to install. */
export async function checkJava(): Promise<string> {
  const java = which('java');
  if (!java) {
    throw new ServiceError(
      'Java 17+ is needed for native Kafka and `java` is not on PATH: install it (Debian: `apt-get install openjdk-17-jre-headless`) or use Docker (`npm run services -- up --docker`)',
    );
  }
  const { out } = await run(java, ['-version']);
  const m = /version "(\d+)(?:\.(\d+))?/.exec(out);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) {
    throw new ServiceError(
      `Kafka ${KAFKA_VERSION} needs Java 17+, but \`java -version\` says ${m ? major : 'nothing usable'}: install openjdk-17 or newer`,
    );
  }
  return java;
}

export function jarsFetched(layout: Layout): boolean {
  return existsSync(join(layout.libsDir, '.complete'));
}

/** Fetches kafka_2.13 and the Log4j2 binding with Maven, once; later calls return at once. */
export async function ensureJars(layout: Layout, report: Report): Promise<void> {
  if (jarsFetched(layout)) return;
  const mvn = which('mvn');
  if (!mvn) {
    throw new ServiceError(
      'Maven is needed to fetch the Kafka jars and `mvn` is not on PATH: install it (Debian: `apt-get install maven`) or use Docker (`npm run services -- up --docker`)',
    );
  }
  const base = join(layout.libsDir, '..');
  mkdirSync(base, { recursive: true });
  const pom = join(base, 'pom.xml');
  writeFileSync(pom, POM);
  const partial = `${layout.libsDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  report(`fetching org.apache.kafka:kafka_2.13:${KAFKA_VERSION} and its jars with Maven (once)…`);
  const { code, out } = await run(mvn, [
    '-B',
    '-q',
    '-f',
    pom,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${partial}`,
  ]);
  if (code !== 0) {
    const why = out
      .split('\n')
      .filter((l) => l.includes('ERROR'))
      .slice(0, 3)
      .join(' ')
      .slice(0, 400);
    throw new ServiceError(
      `Maven could not fetch the Kafka ${KAFKA_VERSION} jars (exit ${code}): ${why || out.slice(-400)}`,
    );
  }
  writeFileSync(join(partial, '.complete'), `${KAFKA_VERSION}\n`);
  rmSync(layout.libsDir, { recursive: true, force: true });
  renameSync(partial, layout.libsDir);
}

export function propertiesFile(layout: Layout, node: KafkaNode): string {
  return join(nodeDir(layout, node), 'server.properties');
}

export function logFile(layout: Layout, node: KafkaNode): string {
  return join(nodeDir(layout, node), 'kafka.log');
}

function pidFile(layout: Layout, node: KafkaNode): string {
  return join(nodeDir(layout, node), 'kafka.pid');
}

/** What identifies this node's java process on its command line. */
function marker(layout: Layout, node: KafkaNode): string {
  return propertiesFile(layout, node);
}

/** The live pid this state folder recorded for the node, whatever ports it was started on. */
export function recordedPid(layout: Layout, node: KafkaNode): number | undefined {
  return livePid(pidFile(layout, node), marker(layout, node));
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
  mkdirSync(nodeDir(layout, node), { recursive: true });
  writeFileSync(propertiesFile(layout, node), serverProperties(layout, node));
  writeFileSync(join(layout.dir, 'kafka', 'log4j2.properties'), LOG4J2);
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

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
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
  return nodes.map((node) => {
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
      pidFile(layout, node),
      dir,
    );
    return { node, pid, exited };
  });
}

/** The error for a node whose process ended during start, with the tail of its log. */
export function exitedError(layout: Layout, node: KafkaNode, code: number | null): ServiceError {
  return new ServiceError(
    `${node.name} exited during start (code ${code}); last lines of ${logFile(layout, node)}:\n${tail(logFile(layout, node))}`,
  );
}

/** Stops the given nodes (SIGTERM: a controlled shutdown; SIGKILL after the grace period). */
export async function stopNodes(
  layout: Layout,
  nodes: KafkaNode[],
  graceMs = 20_000,
): Promise<number> {
  const running = nodes
    .map((node) => ({ node, pid: recordedPid(layout, node) }))
    .filter((r): r is { node: KafkaNode; pid: number } => r.pid !== undefined);
  await Promise.all(running.map((r) => terminate(r.pid, marker(layout, r.node), graceMs)));
  for (const r of running) recordedPid(layout, r.node);
  return running.length;
}
