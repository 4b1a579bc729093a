// The Kafka version of the brokers this machine runs, as their own core jar names it
// (`kafka_2.13-4.1.2.jar` on the classpath of the `kafka.Kafka` process). kafkajs speaks
// ApiVersions v2, whose answer lists API ranges but no release, so the jar is the closest thing
// to the broker reporting itself. Docker containers share the host's process table; their files
// are reached through /proc/<pid>/root.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

function classpathOf(argv: string[]): string[] {
  const i = argv.findIndex((a) => a === '-cp' || a === '-classpath');
  return i >= 0 ? (argv[i + 1] ?? '').split(':') : [];
}

function coreJarVersion(root: string, entry: string): string | undefined {
  const dir = entry.endsWith('/*') ? entry.slice(0, -2) : undefined;
  const names = dir ? safeList(join(root, dir)) : [entry.split('/').at(-1) ?? ''];
  for (const n of names) {
    const m = /^kafka_\d+\.\d+-(\d+\.\d+\.\d+[^/]*)\.jar$/.exec(n);
    if (m) return m[1];
  }
  return undefined;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The versions of the running brokers' core jars, joined when they differ; undefined if none. */
export function brokerVersion(): string | undefined {
  const found = new Set<string>();
  for (const pid of safeList('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!argv.includes('kafka.Kafka')) continue;
    for (const entry of classpathOf(argv)) {
      const v = coreJarVersion(`/proc/${pid}/root`, entry);
      if (v) found.add(v);
    }
  }
  return found.size ? [...found].sort().join(', ') : undefined;
}
