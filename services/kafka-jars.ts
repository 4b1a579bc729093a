// The Kafka jars, without the tarball: org.apache.kafka:kafka_2.13 and the Log4j2 binding, fetched
// once with Maven into the state folder (kafka/libs-<version>/), after checking for Java 17+.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_VERSION, type Layout, LOG4J_VERSION } from './layout.ts';
import { mavenFetch } from './maven.ts';
import { ServiceError, which } from './proc.ts';

type Report = (line: string) => void;

const POM = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by services/kafka-jars.ts: the jars a KRaft broker needs, without the tarball. -->
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

/** Runs a command to completion, collecting its output. */
export function run(
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

function jarsFetched(layout: Layout): boolean {
  return existsSync(join(layout.libsDir, '.complete'));
}

/** Fetches kafka_2.13 and the Log4j2 binding with Maven, once; later calls return at once. */
export async function ensureJars(layout: Layout, report: Report): Promise<void> {
  if (jarsFetched(layout)) return;
  const base = join(layout.libsDir, '..');
  mkdirSync(base, { recursive: true });
  const pom = join(base, 'pom.xml');
  writeFileSync(pom, POM);
  const partial = `${layout.libsDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  await mavenFetch(
    [
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${partial}`,
    ],
    `org.apache.kafka:kafka_2.13:${KAFKA_VERSION} and its jars`,
    report,
  );
  writeFileSync(join(partial, '.complete'), `${KAFKA_VERSION}\n`);
  rmSync(layout.libsDir, { recursive: true, force: true });
  renameSync(partial, layout.libsDir);
}
