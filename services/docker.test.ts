// The Docker path's commands, without a Docker engine (CI here has none): a stand-in `docker` on
// PATH records what it is asked (and the certificates folder compose would mount) and answers
// like the engine FAKE_DOCKER names: a rootful engine, rootless Docker, or Docker Desktop of some
// version. The readiness checks stay real: the layout points at the shared cluster, which is up.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { down, ensure, startNode, status, stopNode, up, upDocker } from './api.ts';
import { dockerCheck } from './docker.ts';
import { isolatedLayout, scratchDir } from './isolated.ts';
import { COMPOSE_FILE, defaultLayout, type Layout } from './layout.ts';
import { readState, remember } from './state.ts';

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
      'case "$1" in compose) case "$*" in *" up "*|*" pull "*)',
      `  echo "certs=$WIRENOTES_NGINX_CERTS ca=$(test -f "$WIRENOTES_NGINX_CERTS/ca.pem" && echo yes)" >> '${log}' ;; esac ;; esac`,
      'case "$*" in',
      '  "info --format "*)',
      '    case "$FAKE_DOCKER" in',
      '      rootless) echo \'28.2.2|Ubuntu 24.04|["name=seccomp,profile=builtin","name=rootless"]\' ;;',
      '      desktop-*) echo \'28.2.2|Docker Desktop|["name=seccomp,profile=unconfined"]\' ;;',
      '      *) echo \'28.2.2|Debian GNU/Linux 12|["name=seccomp,profile=builtin"]\' ;;',
      '    esac ;;',
      '  "version --format {{.Server.Platform.Name}}")',
      '    case "$FAKE_DOCKER" in',
      '      desktop-old) echo "Docker Desktop 4.30.0 (149282)" ;;',
      '      desktop-new) echo "Docker Desktop 4.41.2 (191736)" ;;',
      '      *) echo "Docker Engine - Community" ;;',
      '    esac ;;',
      '  "compose version") echo "Docker Compose version v2.40.0" ;;',
      '  *" ps --status running --services") printf "kafka-1\\nkafka-2\\nkafka-3\\n" ;;',
      '  *" pull "*) echo " nginx Pulling"; echo " nginx Pulled" ;;',
      'esac',
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'docker'), 0o755);
  process.env.PATH = `${bin}:${savedPath}`;
  // Same ports as the shared cluster (so readiness is real), state of its own.
  layout = { ...defaultLayout(), dir: scratchDir('docker-') };
  for (const n of layout.kafkaNodes) {
    await remember(layout, n.name, { service: 'kafka', via: 'docker' });
  }
});

afterAll(() => {
  process.env.PATH = savedPath;
  delete process.env.FAKE_DOCKER;
  rmSync(bin, { recursive: true, force: true });
  rmSync(layout.dir, { recursive: true, force: true });
});

function calls(): string[] {
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  writeFileSync(log, '');
  return lines.filter(Boolean);
}

describe('which engines the Docker path accepts', () => {
  it('a rootful engine with the compose plugin: yes, no hint', async () => {
    process.env.FAKE_DOCKER = 'rootful';
    expect(await dockerCheck()).toEqual({});
    expect(calls()).toEqual([
      'info --format {{.ServerVersion}}|{{.OperatingSystem}}|{{json .SecurityOptions}}',
      'compose version',
      'version --format {{.Server.Platform.Name}}',
    ]);
  });

  it('rootless Docker: refused, since its host network is not the host’s', async () => {
    process.env.FAKE_DOCKER = 'rootless';
    const { problem } = await dockerCheck();
    expect(problem).toMatch(/rootless Docker, whose host networking publishes nothing/);
    expect(problem).toMatch(/run without --docker/);
    calls();
  });

  it('Docker Desktop before 4.34: refused (no host networking); 4.34+: a hint', async () => {
    process.env.FAKE_DOCKER = 'desktop-old';
    expect((await dockerCheck()).problem).toMatch(
      /^Docker Desktop 4\.30\.0 \(149282\) has no host networking .*4\.34 or newer/,
    );
    process.env.FAKE_DOCKER = 'desktop-new';
    const check = await dockerCheck();
    expect(check.problem).toBeUndefined();
    expect(check.hint).toMatch(/signed-in account and .*Enable host networking/);
    process.env.FAKE_DOCKER = 'rootful';
    calls();
  });
});

it('`up --docker` on rootless Docker refuses before any container starts, saying why', async () => {
  process.env.FAKE_DOCKER = 'rootless';
  const own = await isolatedLayout('docker-rootless-');
  try {
    await expect(up(['kafka'], { layout: own, mode: 'docker' })).rejects.toThrow(
      /^--docker: the engine is rootless Docker, whose host networking publishes nothing/,
    );
    expect(calls().filter((c) => c.startsWith('compose -f'))).toEqual([]);
  } finally {
    process.env.FAKE_DOCKER = 'rootful';
    rmSync(own.dir, { recursive: true, force: true });
  }
});

it('generates the certificates before compose, pulls first (with progress), then up --wait', async () => {
  const own = { ...layout, dir: scratchDir('docker-up-') };
  try {
    const lines: string[] = [];
    await upDocker(own, ['nginx'], (l) => lines.push(l));
    const certs = join(own.dir, 'nginx', 'certs');
    expect(existsSync(join(certs, 'ca.pem'))).toBe(true);
    expect(calls()).toEqual([
      `compose -f ${COMPOSE_FILE} pull nginx`,
      `certs=${certs} ca=yes`,
      `compose -f ${COMPOSE_FILE} up -d --wait nginx`,
      `certs=${certs} ca=yes`,
    ]);
    expect(lines).toContain('docker: nginx Pulling');
    expect(readState(own).units.nginx?.via).toBe('docker');
  } finally {
    rmSync(own.dir, { recursive: true, force: true });
  }
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

it('down runs docker compose down -v (anonymous volumes too) for what Docker started, and forgets it', async () => {
  expect(await down(undefined, { layout })).toEqual(['kafka (docker)']);
  expect(calls()).toEqual([`compose -f ${COMPOSE_FILE} down -v`]);
  expect(readState(layout).units).toEqual({});
  expect(await down(undefined, { layout })).toEqual([]);
});
