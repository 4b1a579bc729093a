// End to end on a cluster of its own: up → status all up → stop and start kafka-2 → all 3 back in
// metadata → down leaves nothing running that it started.
//
// The shared services (9092-9094, nginx, databases) are what the other test files use, so this
// file never stops them: it only ensures they are up (as the global setup does) and checks their
// status. The start/stop/down path is proven on a second, isolated 3-node cluster: its own state
// folder (a scratch folder) and free ports found at run time (controllers at +10000), the jars
// shared with the main cluster. The afterAll hook stops it whatever happened.

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileNeeds } from '../demos/kit/vitest.ts';
import { down, ensure, SERVICES, startNode, status, stopNode, up } from './api.ts';
import { isolatedLayout } from './isolated.ts';
import { nodePid } from './kafka-native.ts';
import { brokersInMetadata } from './kafka-probe.ts';
import { defaultLayout, type Layout, nodeDir } from './layout.ts';
import { withLease } from './lease.ts';
import { alive, portOpen } from './proc.ts';
import { readState, remember } from './state.ts';

let layout: Layout;
const ids = [1, 2, 3];

const needs = fileNeeds([...SERVICES]);

beforeAll(async () => {
  if (!needs.ready()) return;
  // The shared services stay as the other test files need them: up, never stopped here.
  await ensure([...SERVICES]);
  layout = await isolatedLayout('e2e-');
});

afterAll(async () => {
  if (!layout) return;
  await down(['kafka'], { layout });
  rmSync(layout.dir, { recursive: true, force: true });
});

describe('npm run services, end to end', () => {
  it('status shows every shared service up', async () => {
    const rows = await status();
    expect(rows.map((r) => r.service)).toEqual([
      'kafka-1',
      'kafka-2',
      'kafka-3',
      ...SERVICES.filter((s) => s !== 'kafka'),
    ]);
    for (const r of rows) expect(r.up, `${r.service}: ${r.detail ?? ''}`).toBe(true);
  });

  it('up starts a 3-node cluster natively (replacing a record whose process is gone) and waits for all 3', async () => {
    const node1 = layout.kafkaNodes[0] as (typeof layout.kafkaNodes)[0];
    const dead = spawnSync('true').pid as number; // a pid that has exited
    await remember(layout, node1.name, {
      service: 'kafka',
      via: 'native',
      pid: dead,
      marker: join(nodeDir(layout, node1), 'server.properties'),
      dir: nodeDir(layout, node1),
    });
    // Reading never deletes a record, not even one whose process is gone.
    expect(nodePid(layout, node1)).toBeUndefined();
    expect(readState(layout).units[node1.name]?.pid).toBe(dead);
    const lines: string[] = [];
    const { started } = await up(['kafka'], {
      layout,
      mode: 'native',
      report: (l) => lines.push(l),
    });
    expect(started).toEqual(['kafka']);
    expect(lines.some((l) => l.includes('waiting for brokers 1, 2, 3'))).toBe(true);
    expect(await brokersInMetadata(layout.kafkaNodes)).toEqual(ids);
    const pid = nodePid(layout, node1);
    expect(pid).toBeDefined();
    expect(pid).not.toBe(dead);
  });

  it('up again is a no-op, and status shows the three nodes up, started natively', async () => {
    expect((await up(['kafka'], { layout, mode: 'native' })).started).toEqual([]);
    const rows = await status(['kafka'], { layout });
    expect(rows.map((r) => [r.service, r.up, r.startedBy])).toEqual([
      ['kafka-1', true, 'native'],
      ['kafka-2', true, 'native'],
      ['kafka-3', true, 'native'],
    ]);
  });

  it('stop kafka-2 takes it out of the metadata; start brings all 3 back', async () => {
    const node2 = layout.kafkaNodes[1] as (typeof layout.kafkaNodes)[0];
    const pid = nodePid(layout, node2) as number;
    await stopNode('kafka-2', { layout });
    expect(alive(pid, 'kafka.Kafka')).toBe(false);
    expect(await portOpen(node2.host, node2.clientPort)).toBe(false);
    expect(await brokersInMetadata(layout.kafkaNodes)).toEqual([1, 3]);
    const row = (await status(['kafka'], { layout })).find((r) => r.service === 'kafka-2');
    expect(row?.up).toBe(false);
    expect(row?.detail).toMatch(/^stopped/);
    // Stopped on purpose: the record keeps its folder (its data) for the start.
    const dir = readState(layout).units['kafka-2']?.dir;
    expect(dir).toBeDefined();

    await startNode('kafka-2', { layout });
    expect(await brokersInMetadata(layout.kafkaNodes)).toEqual(ids);
    expect(nodePid(layout, node2)).not.toBe(pid);
    expect(readState(layout).units['kafka-2']?.dir).toBe(dir);
  });

  it('down stops the three nodes it started and leaves nothing running', async () => {
    const pids = layout.kafkaNodes.map((n) => nodePid(layout, n) as number);
    const stopped = await down(undefined, { layout });
    expect(stopped.sort()).toEqual(['kafka-1 (native)', 'kafka-2 (native)', 'kafka-3 (native)']);
    for (const pid of pids) expect(alive(pid, 'kafka.Kafka')).toBe(false);
    for (const n of layout.kafkaNodes) {
      expect(await portOpen(n.host, n.clientPort)).toBe(false);
    }
    expect(readState(layout).units).toEqual({});
    expect(await down(undefined, { layout })).toEqual([]);
    // The shared cluster was not touched: all its brokers answer, once no other run holds a
    // broker stopped for its failover (a shared lease waits for that run's exclusive one).
    const shared = await withLease('kafka', () => brokersInMetadata(defaultLayout().kafkaNodes));
    expect(shared).toEqual(ids);
  });
});
