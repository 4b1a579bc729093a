// Adoption of a checkout's old .cache/services/ into the per-user state: processes found by their
// command lines are recorded where they run (nothing is killed), the compose services its
// state.json named too, the Kafka jars and nginx's CA are copied; a second pass adopts nothing.
// Stand-in processes (node, with the old paths in their arguments) play the brokers and nginx.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ROOT } from '../demos/kit/paths.ts';
import { adoptLegacy } from './adopt.ts';
import { scratchDir } from './isolated.ts';
import { KAFKA_VERSION, kafkaNodes, type Layout } from './layout.ts';
import { alive } from './proc.ts';
import { readState } from './state.ts';

const legacy = scratchDir('legacy-');
const state = scratchDir('adopted-');
const layout: Layout = {
  dir: state,
  libsDir: join(state, 'cache', `libs-${KAFKA_VERSION}`),
  kafkaNodes: kafkaNodes(['127.0.0.1:9092', '127.0.0.1:9093', '127.0.0.1:9094']),
};
const children: ChildProcess[] = [];

function standIn(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', ...args], {
    stdio: 'ignore',
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  for (const n of ['kafka-1', 'kafka-3']) {
    const dir = join(legacy, 'kafka', n);
    mkdirSync(dir, { recursive: true });
    const port = n === 'kafka-1' ? 9092 : 9094;
    writeFileSync(
      join(dir, 'server.properties'),
      `advertised.listeners=CLIENT://127.0.0.1:${port}\n`,
    );
    standIn('kafka.Kafka', join(dir, 'server.properties'));
  }
  mkdirSync(join(legacy, 'nginx', 'certs'), { recursive: true });
  writeFileSync(join(legacy, 'nginx', 'certs', 'ca.pem'), 'the old CA\n');
  standIn('-p', `${join(legacy, 'nginx')}/`, '-c', 'nginx.conf');
  const libs = join(legacy, 'kafka', `libs-${KAFKA_VERSION}`);
  mkdirSync(libs, { recursive: true });
  writeFileSync(join(libs, '.complete'), KAFKA_VERSION);
  writeFileSync(join(legacy, 'state.json'), JSON.stringify({ docker: ['postgres'] }));
  // /proc shows the command line once the process has exec'd.
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(legacy, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

it('records what runs from the old folder where it runs, kills nothing, copies jars and CA', async () => {
  const adopted = await adoptLegacy(layout, legacy);
  expect(adopted.sort()).toEqual(['kafka-1', 'kafka-3', 'nginx', 'postgres']);
  const units = readState(layout).units;
  expect(units['kafka-1']).toMatchObject({
    service: 'kafka',
    via: 'native',
    pid: children[0]?.pid,
    dir: join(legacy, 'kafka', 'kafka-1'),
    address: '127.0.0.1:9092',
    checkout: ROOT,
  });
  expect(units['kafka-2']).toBeUndefined(); // nothing of it runs
  expect(units.nginx).toMatchObject({ pid: children[2]?.pid, dir: join(legacy, 'nginx') });
  expect(units.postgres).toMatchObject({ service: 'postgres', via: 'docker' });
  for (const c of children) expect(alive(c.pid as number, '-e')).toBe(true);
  expect(existsSync(join(layout.libsDir, '.complete'))).toBe(true);
  expect(existsSync(join(state, 'nginx', 'certs', 'ca.pem'))).toBe(true);
});

it('a second pass, even into another state folder, adopts nothing and changes no record', async () => {
  const before = readState(layout);
  expect(await adoptLegacy(layout, legacy)).toEqual([]);
  expect(readState(layout)).toEqual(before);
  const other = { ...layout, dir: scratchDir('adopted-again-') };
  try {
    expect(await adoptLegacy(other, legacy)).toEqual([]);
    expect(readState(other).units).toEqual({});
  } finally {
    rmSync(other.dir, { recursive: true, force: true });
  }
});
