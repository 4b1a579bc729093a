// The Docker path's commands, without a Docker engine (CI here has none): a stand-in `docker` on
// PATH records what it is asked and answers like an engine whose containers are running. The
// readiness checks stay real: the layout points at the shared cluster, which is up.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { down, ensure, startNode, status, stopNode } from './api.ts';
import { dockerProblem } from './docker.ts';
import { COMPOSE_FILE, DEFAULT_DIR, defaultLayout, type Layout } from './layout.ts';

let bin: string;
let log: string;
let layout: Layout;
const savedPath = process.env.PATH;

beforeAll(async () => {
  await ensure(['kafka']);
  bin = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  log = join(bin, 'calls.log');
  writeFileSync(
    join(bin, 'docker'),
    [
      '#!/bin/sh',
      `echo "$*" >> '${log}'`,
      'case "$*" in',
      '  "info --format {{.ServerVersion}}") echo 28.2.2 ;;',
      '  "compose version") echo "Docker Compose version v2.40.0" ;;',
      '  *" ps --status running --services") printf "kafka-1\\nkafka-2\\nkafka-3\\n" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'docker'), 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
  mkdirSync(DEFAULT_DIR, { recursive: true });
  // Same ports as the shared cluster (so readiness is real), state of its own.
  layout = { ...defaultLayout(), dir: mkdtempSync(join(DEFAULT_DIR, 'docker-')) };
  writeFileSync(join(layout.dir, 'state.json'), JSON.stringify({ docker: ['kafka'] }));
});

afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(bin, { recursive: true, force: true });
  rmSync(layout.dir, { recursive: true, force: true });
});

function calls(): string[] {
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  writeFileSync(log, '');
  return lines.filter(Boolean);
}

it('sees an engine when `docker info` and `docker compose version` answer', async () => {
  expect(await dockerProblem()).toBeUndefined();
  expect(calls()).toEqual(['info --format {{.ServerVersion}}', 'compose version']);
});

it('reports Kafka nodes started by Docker as such', async () => {
  const rows = await status(['kafka'], { layout });
  expect(rows.map((r) => [r.service, r.up, r.startedBy])).toEqual([
    ['kafka-1', true, 'docker'],
    ['kafka-2', true, 'docker'],
    ['kafka-3', true, 'docker'],
  ]);
  expect(calls()).toEqual([`compose -f ${COMPOSE_FILE} ps --status running --services`]);
});

it('stops and starts one node with docker compose stop/start, then waits for its metadata', async () => {
  await stopNode('kafka-2', { layout });
  await startNode('kafka-2', { layout });
  expect(calls()).toEqual([
    `compose -f ${COMPOSE_FILE} stop kafka-2`,
    `compose -f ${COMPOSE_FILE} start kafka-2`,
  ]);
});

it('down runs docker compose down for what Docker started, and forgets it', async () => {
  expect(await down(undefined, { layout })).toEqual(['kafka (docker)']);
  expect(calls()).toEqual([`compose -f ${COMPOSE_FILE} down`]);
  expect(JSON.parse(readFileSync(join(layout.dir, 'state.json'), 'utf8'))).toEqual({ docker: [] });
  expect(await down(undefined, { layout })).toEqual([]);
});
