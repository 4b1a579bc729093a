// The errors `up` and `start` promise: a Kafka port held by something else is named before any
// JVM starts, and a node that exits during start is reported with the tail of its log. Both run
// on an isolated layout (own folder, free ports), never on the shared cluster.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { closeServer, listen as listenOn } from '../demos/kit/net.ts';
import { down, startNode, up } from './api.ts';
import { isolatedLayout } from './isolated.ts';
import { nodePid } from './kafka-native.ts';
import { type Layout, nodeDir } from './layout.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function listen(port = 0): Promise<Server> {
  // Like any foreign server: it accepts, then hangs up (a probe must not keep it open).
  const server = createServer((socket) => socket.destroy());
  await listenOn(server, '127.0.0.1', port);
  cleanups.push(() => closeServer(server));
  return server;
}

/** A cluster of its own on free ports, stopped and removed after the test. */
async function isolated(): Promise<Layout> {
  const layout = await isolatedLayout('errors-');
  cleanups.push(async () => {
    await down(['kafka'], { layout });
    rmSync(layout.dir, { recursive: true, force: true });
  });
  return layout;
}

it('up names the port another process holds, and starts no node', async () => {
  const layout = await isolated();
  const node2 = layout.kafkaNodes[1] as Layout['kafkaNodes'][0];
  const holder = await listen(node2.clientPort);
  expect((holder.address() as AddressInfo).port).toBe(node2.clientPort);
  await expect(up(['kafka'], { layout, mode: 'native' })).rejects.toThrow(
    `port ${node2.clientPort} (kafka-2's client port) is held by another process`,
  );
  for (const n of layout.kafkaNodes) expect(nodePid(layout, n)).toBeUndefined();
});

it('a node that exits during start is reported with the tail of its log', async () => {
  const layout = await isolated();
  const node1 = layout.kafkaNodes[0] as Layout['kafkaNodes'][0];
  // Storage that claims to belong to node 9: Kafka refuses to start node 1 on it.
  const data = join(nodeDir(layout, node1), 'data');
  mkdirSync(data, { recursive: true });
  writeFileSync(
    join(data, 'meta.properties'),
    'version=1\nnode.id=9\ncluster.id=d2lyZW5vdGVzLWthZmthMQ\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAQ\n',
  );
  const err = await startNode('kafka-1', { layout }).then(
    () => undefined,
    (e: Error) => e,
  );
  expect(err?.message).toMatch(
    /^kafka-1 exited during start \(code \d+\); last lines of .*kafka\.log:\n/,
  );
  expect(err?.message).toMatch(/node.id|node id/i);
  expect(nodePid(layout, node1)).toBeUndefined();
});

/** Runs `fn` with PATH holding only the named commands (symlinks to the real ones). */
async function withPathOf<T>(commands: string[], fn: () => Promise<T>): Promise<T> {
  const bin = mkdtempSync(join(tmpdir(), 'path-'));
  for (const c of commands) {
    const real = execFileSync('/bin/sh', ['-c', `command -v ${c}`], { encoding: 'utf8' }).trim();
    symlinkSync(real, join(bin, c));
  }
  const saved = process.env.PATH;
  process.env.PATH = bin;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
    rmSync(bin, { recursive: true, force: true });
  }
}

it('says what to install when Java or Maven is missing', async () => {
  const layout = await isolated();
  // Jars not fetched yet in this layout, so Maven would be needed.
  const fresh = { ...layout, libsDir: join(layout.dir, 'libs') };
  await expect(
    withPathOf([], () => up(['kafka'], { layout: fresh, mode: 'native' })),
  ).rejects.toThrow(
    /^kafka needs java: java is not on PATH or in \/usr\/sbin — install it with `npm run setup` \(as root: apt-get install openjdk-17-jre-headless\); kafka needs maven/,
  );
  await expect(
    withPathOf(['java'], () => up(['kafka'], { layout: fresh, mode: 'native' })),
  ).rejects.toThrow(
    /^kafka needs maven: mvn is not on PATH or in \/usr\/sbin — install it with `npm run setup`/,
  );
});

it('says so when Maven cannot fetch the jars', async () => {
  const layout = await isolated();
  const fresh = { ...layout, libsDir: join(layout.dir, 'libs') };
  // A stand-in mvn that fails as Maven does without a route to the repository.
  const bin = mkdtempSync(join(tmpdir(), 'mvn-'));
  cleanups.push(() => rmSync(bin, { recursive: true, force: true }));
  writeFileSync(
    join(bin, 'mvn'),
    '#!/bin/sh\necho "[ERROR] Failed to execute goal: Could not transfer artifact org.apache.kafka:kafka_2.13:pom: Network is unreachable"\nexit 1\n',
    { mode: 0o755 },
  );
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${saved}`;
  try {
    await expect(up(['kafka'], { layout: fresh, mode: 'native' })).rejects.toThrow(
      /^Maven could not fetch org.apache.kafka:kafka_2.13:[\d.]+ and its jars \(exit 1\): \[ERROR\] .*Network is unreachable/,
    );
  } finally {
    process.env.PATH = saved;
  }
  for (const n of layout.kafkaNodes) expect(nodePid(layout, n)).toBeUndefined();
});
