// The native postgres17 and mariadb114 services, end to end on a scratch layout and free ports
// (never the shared servers): `up` fetches (once), initialises and starts each as a non-root
// user and waits for SELECT 1; the server reports the version it was built from; `down` stops
// exactly that process. Skipped where Maven or Java is missing, unless CI=true.

import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../demos/kit/endpoints.ts';
import { fileNeeds } from '../demos/kit/vitest.ts';
import { down, up } from './api.ts';
import { asServerUser, scratchDatabases } from './db-binaries.ts';
import { LAUNCHERS } from './launchers.ts';
import type { Layout } from './layout.ts';
import { alive } from './proc.ts';
import { readState } from './state.ts';

describe('native database launchers', () => {
  it('each has its record in demos/kit/endpoints.ts and the documented fixed port', () => {
    const names = LAUNCHERS.map((l) => l.name);
    expect(names).toEqual(expect.arrayContaining(['postgres17', 'mariadb114']));
    for (const n of names) expect(Object.keys(SERVICES)).toContain(n);
    const saved = { ...process.env };
    delete process.env.PG17_URL;
    delete process.env.MARIADB114_URL;
    try {
      const address = (n: string) => LAUNCHERS.find((l) => l.name === n)?.address();
      expect([address('postgres17'), address('mariadb114')]).toEqual([
        '127.0.0.1:5433',
        '127.0.0.1:3307',
      ]);
    } finally {
      Object.assign(process.env, saved);
    }
  });

  it('runs a server as the postgres user under root through setpriv, which execs', () => {
    const home = { user: { name: 'postgres', uid: 101, gid: 104 }, cache: '/c', state: '/s' };
    expect(asServerUser(home, '/b/postgres', ['-D', '/d'])).toEqual([
      'setpriv',
      ['--reuid', '101', '--regid', '104', '--init-groups', '/b/postgres', '-D', '/d'],
    ]);
    expect(asServerUser({ cache: '/c', state: '/s' }, '/b/postgres', ['-D', '/d'])).toEqual([
      '/b/postgres',
      ['-D', '/d'],
    ]);
  });
});

// Locally a missing tool skips these tests with one line; under CI=true they must run.
const needs = fileNeeds(['java', 'maven', 'xz']);

describe('postgres17 and mariadb114 on a scratch layout', () => {
  let layout: Layout;
  let restore: () => void;
  beforeAll(async () => {
    if (!needs.ready()) return;
    ({ layout, restore } = await scratchDatabases('dbs-'));
  }, 30_000);
  afterAll(async () => {
    if (!needs.ready()) return;
    await down(['postgres17', 'mariadb114'], { layout }).catch(() => undefined);
    restore();
  }, 60_000);

  it('up starts both, each answering SELECT version() with its own version', async () => {
    await up(['postgres17', 'mariadb114'], { layout, mode: 'native' });
    const client = new pg.Client({ connectionString: process.env.PG17_URL });
    await client.connect();
    const pgVersion = (await client.query('SHOW server_version')).rows[0].server_version;
    await client.end();
    const conn = await mysql.createConnection({ uri: process.env.MARIADB114_URL as string });
    const [rows] = await conn.query('SELECT VERSION() AS v');
    await conn.end();
    expect(pgVersion).toMatch(/^17\.6\b/);
    expect((rows as { v: string }[])[0]?.v).toMatch(/^11\.4\.5-MariaDB/);
  }, 120_000);

  it('runs neither as root, and down stops exactly the recorded processes', async () => {
    const units = readState(layout).units;
    const pids = ['postgres17', 'mariadb114'].map((u) => units[u]?.pid as number);
    for (const pid of pids) {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).not.toBe('0');
    }
    expect(await down(['postgres17', 'mariadb114'], { layout })).toEqual(
      expect.arrayContaining(['postgres17 (native)', 'mariadb114 (native)']),
    );
    for (const [i, pid] of pids.entries()) {
      expect(alive(pid, i === 0 ? 'postgres' : 'mariadbd')).toBe(false);
    }
  }, 60_000);
});
