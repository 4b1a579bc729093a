// The replication service end to end on a pair of its own (scratch state, free ports; never the
// shared pair): `up` makes a primary and a streaming standby, not as root; a second `up` starts
// nothing; `down` stops exactly the two recorded processes. Skipped where the PostgreSQL 15
// binaries are missing, unless CI=true.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileNeeds } from '../demos/kit/vitest.ts';
import { down, status, up } from './api.ts';
import type { Layout } from './layout.ts';
import { alive, ServiceError } from './proc.ts';
import { replication, replicationLayout, scratchReplication } from './replication-native.ts';
import { readState } from './state.ts';

const UNITS = ['replication-primary', 'replication-standby'];

// Locally a missing tool skips these tests with one line; under CI=true they must run.
const needs = fileNeeds(['postgres15-binaries']);

describe('replication service on a scratch layout', () => {
  let layout: Layout;
  let restore: () => void;
  beforeAll(async () => {
    if (!needs.ready()) return;
    ({ layout, restore } = await scratchReplication('replication-'));
  });
  afterAll(async () => {
    if (!needs.ready()) return;
    await down(['replication'], { layout }).catch(() => undefined);
    restore();
  }, 60_000);

  it('up: initdb, pg_basebackup, both servers; ready once the standby is streaming', async () => {
    expect((await up(['replication'], { layout, mode: 'native' })).started).toEqual([
      'replication',
    ]);
    expect(await replication.notReady()).toBeUndefined();
    const rows = await status(['replication'], { layout });
    expect(rows.map((r) => [r.service, r.up, r.startedBy])).toEqual([
      ['replication', true, 'native'],
    ]);
    expect(replicationLayout(`${layout.dir}/replication`).root.startsWith(layout.dir)).toBe(true);
  }, 120_000);

  it('a second up starts nothing', async () => {
    expect((await up(['replication'], { layout, mode: 'native' })).started).toEqual([]);
  });

  it('runs neither server as root, and down stops exactly the recorded processes', async () => {
    const units = readState(layout).units;
    const pids = UNITS.map((u) => units[u]?.pid as number);
    for (const pid of pids) {
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      expect(uid).not.toBe('0');
    }
    expect(await down(['replication'], { layout })).toEqual(
      expect.arrayContaining(UNITS.map((u) => `${u} (native)`)),
    );
    for (const pid of pids) expect(alive(pid, 'postgres')).toBe(false);
  }, 60_000);

  it('refuses to start a pair away from loopback, in one line', async () => {
    const saved = process.env.PG_PRIMARY_URL;
    process.env.PG_PRIMARY_URL = 'postgres://postgres@192.0.2.1:5440/postgres';
    try {
      const err = await up(['replication'], { layout, mode: 'native' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as Error).message).toMatch(/^replication: PG_PRIMARY_URL points at 192\.0\.2\.1/);
      expect((err as Error).message).not.toContain('\n');
    } finally {
      process.env.PG_PRIMARY_URL = saved;
    }
  }, 30_000);
});
