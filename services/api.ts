// services/api.ts — the programmatic face of `npm run services`; the CLI (services/cli.ts), the
// vitest global setup and the demos use the same functions:
//
//   up(names?, options?)      start what is not running (Docker when an engine answers, else
//                             native; options.mode forces one) and wait until each is ready
//   ensure(names)             up() for the services not already ready; quiet when all are
//   down(names?)              stop only what this command started; remove stale pid files
//   status(names?)            one row per service (and per Kafka node): address, up, started by
//   stopNode('kafka-2')       stop one Kafka node (native: SIGTERM → controlled shutdown; Docker:
//                             `docker compose stop`); resolves when its process is gone
//   startNode('kafka-2')      start it again; resolves when the node is back in the metadata
//
// Ready means: Kafka — every node id in a metadata request (kafkajs admin.describeCluster);
// postgres/mariadb — `SELECT 1`; nginx — GET /healthz answers 200 and the TLS port accepts.
// What was started, and how, is remembered under .cache/services/ (pid files, state.json).
// Failures throw ServiceError with a one-line message (a node that died during start adds the
// tail of its log); unknown names throw the kit's UsageError. stopNode() on a node this command
// did not start (an external broker) throws rather than kill someone else's process.
// Every function takes options.layout to work on another state folder and ports (the tests'
// and the bench's isolated clusters); by default .cache/services/ and KAFKA_BROKERS.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { endpoints } from '../demos/kit/services.ts';
import { type Database, databaseAddress, databaseHint } from './databases.ts';
import { compose, dockerProblem } from './docker.ts';
import {
  exitedError,
  nodePid,
  recordedPid,
  staleNodes,
  startNodes,
  stopNodes,
} from './kafka-native.ts';
import { brokersInMetadata, waitForBrokers } from './kafka-probe.ts';
import { defaultLayout, KAFKA_HEAP, type KafkaNode, type Layout } from './layout.ts';
import {
  nginxExitedError,
  nginxPid,
  preparePrefix,
  reloadIfChanged,
  startNginx,
  stopNginx,
} from './nginx-native.ts';
import { ServiceError, waitFor } from './proc.ts';
import { address, KAFKA_READY_MS, nginxProblem, notReady } from './readiness.ts';
import {
  type Mode,
  normalize,
  type Options,
  readState,
  rememberDocker,
  type Service,
} from './state.ts';

export { startNode, stopNode } from './kafka-node.ts';
export { ServiceError } from './proc.ts';
export { type Mode, type Options, SERVICES, type Service, type StartedBy } from './state.ts';
export { type StatusRow, status } from './status.ts';

const NGINX_READY_MS = 15_000;

// ------------------------------------------------------------------ up

async function chooseDocker(mode: Mode, report: (l: string) => void): Promise<boolean> {
  if (mode === 'native') return false;
  const problem = await dockerProblem();
  if (mode === 'docker' && problem) {
    throw new ServiceError(
      `--docker: ${problem}; run without --docker to start the services natively`,
    );
  }
  if (problem) report(`Docker: ${problem}; starting natively`);
  return problem === undefined;
}

async function upKafkaNative(layout: Layout, report: (l: string) => void): Promise<void> {
  const stale = staleNodes(layout);
  if (stale.length) {
    throw new ServiceError(
      `${stale.map((n) => n.name).join(', ')} still run from ${join(layout.dir, 'kafka')} with another configuration (other KAFKA_BROKERS or settings): stop them with \`npm run services -- down kafka\` under the environment that started them`,
    );
  }
  const seen = (await brokersInMetadata(layout.kafkaNodes)) ?? [];
  const toStart = layout.kafkaNodes.filter(
    (n) => !seen.includes(n.id) && nodePid(layout, n) === undefined,
  );
  const exits = new Map<string, number | null>();
  if (toStart.length) {
    report(
      `kafka: starting ${toStart.map((n) => n.name).join(', ')} natively (java ${KAFKA_HEAP} each)`,
    );
    const started = await startNodes(layout, toStart, report);
    for (const s of started) void s.exited.then((code) => exits.set(s.node.name, code));
  }
  report(
    `kafka: waiting for brokers ${layout.kafkaNodes.map((n) => n.id).join(', ')} in a metadata request (${address('kafka', layout)})`,
  );
  const ok = await waitForBrokers(
    layout.kafkaNodes,
    layout.kafkaNodes.map((n) => n.id),
    KAFKA_READY_MS,
    () => {
      for (const [name, code] of exits) {
        const node = layout.kafkaNodes.find((n) => n.name === name) as KafkaNode;
        throw exitedError(layout, node, code);
      }
    },
    (seen) => report(`kafka: in metadata: ${seen.length ? seen.join(', ') : 'none yet'}`),
  );
  if (!ok) {
    const now = (await brokersInMetadata(layout.kafkaNodes)) ?? [];
    throw new ServiceError(
      `kafka: not all 3 brokers in metadata after ${KAFKA_READY_MS / 1000} s (seen: ${now.join(', ') || 'none'}); logs: ${join(layout.dir, 'kafka', 'kafka-N', 'kafka.log')}`,
    );
  }
}

async function upNginxNative(layout: Layout, report: (l: string) => void): Promise<void> {
  let exit: number | null | undefined;
  if (nginxPid(layout) === undefined) {
    report('nginx: starting the system nginx with services/nginx/nginx.conf');
    const started = await startNginx(layout);
    void started.exited.then((code) => {
      exit = code;
    });
  }
  report(`nginx: waiting for GET ${endpoints.nginxUrl}/healthz and the TLS port`);
  const ok = await waitFor(async () => {
    if (exit !== undefined) throw nginxExitedError(layout, exit);
    return (await nginxProblem()) === undefined;
  }, NGINX_READY_MS);
  if (!ok)
    throw new ServiceError(
      `nginx: not ready after ${NGINX_READY_MS / 1000} s: ${await nginxProblem()}`,
    );
}

const COMPOSE_SERVICES: Record<Service, string[]> = {
  kafka: ['kafka-1', 'kafka-2', 'kafka-3'],
  postgres: ['postgres'],
  mariadb: ['mariadb'],
  nginx: ['nginx'],
};

async function upDocker(layout: Layout, services: Service[], report: (l: string) => void) {
  if (services.includes('nginx')) preparePrefix(layout); // the certificates compose mounts
  const names = services.flatMap((s) => COMPOSE_SERVICES[s]);
  report(`docker compose up -d --wait ${names.join(' ')}`);
  await compose(['up', '-d', '--wait', ...names]);
  rememberDocker(layout, services, true);
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/**
 * Starts the services that are not ready and waits for each. Returns what was already up, so
 * callers can tell an idempotent no-op from a start.
 */
export async function up(names?: string[], options: Options = {}): Promise<{ started: Service[] }> {
  const layout = options.layout ?? defaultLayout();
  const report = options.report ?? (() => undefined);
  const services = normalize(names);
  mkdirSync(layout.dir, { recursive: true });
  const problems = await Promise.all(services.map((s) => notReady(s, layout)));
  const missing = services.filter((_, i) => problems[i] !== undefined);
  for (const s of services) {
    if (!missing.includes(s)) report(`${s}: up (${address(s, layout)})`);
  }
  if (services.includes('nginx') && !missing.includes('nginx') && reloadIfChanged(layout)) {
    report('nginx: services/nginx/nginx.conf changed since it started: checked and reloaded');
  }
  if (!missing.length) return { started: [] };

  const docker = readState(layout).docker;
  // A service this command already runs natively stays native (e.g. one stopped Kafka node).
  const nativeAlready = (s: Service) =>
    s === 'kafka'
      ? layout.kafkaNodes.some((n) => nodePid(layout, n) !== undefined)
      : s === 'nginx' && nginxPid(layout) !== undefined;
  const viaDocker =
    options.mode !== 'native' &&
    (missing.some((s) => docker.includes(s)) ||
      (await chooseDocker(options.mode ?? 'auto', report)));
  const dockerSet = viaDocker ? missing.filter((s) => !nativeAlready(s)) : [];
  if (dockerSet.length) {
    const t0 = performance.now();
    await upDocker(layout, dockerSet, report);
    for (const s of dockerSet) {
      // Healthy containers; now the same readiness as the native path (all 3 brokers, etc.).
      report(`${s}: waiting until ready (${address(s, layout)})`);
      let problem: string | undefined;
      const ok = await waitFor(
        async () => {
          problem = await notReady(s, layout);
          return problem === undefined;
        },
        s === 'kafka' ? KAFKA_READY_MS : 30_000,
        250,
      );
      if (!ok) throw new ServiceError(`${s}: its containers are healthy but ${problem}`);
    }
    report(`${dockerSet.join(', ')}: up via Docker in ${seconds(t0)}`);
  }
  const native = missing.filter((s) => !dockerSet.includes(s));
  await Promise.all(
    native.map(async (s) => {
      const t0 = performance.now();
      if (s === 'kafka') await upKafkaNative(layout, report);
      else if (s === 'nginx') await upNginxNative(layout, report);
      else {
        const why = problems[services.indexOf(s)];
        throw new ServiceError(
          `${s} is not reachable at ${databaseAddress(s as Database)} (${why}): ${databaseHint(s as Database)}`,
        );
      }
      report(`${s}: up natively in ${seconds(t0)}`);
    }),
  );
  return { started: missing };
}

/** Makes sure the named services are ready, starting only what is not; silent when all are. */
export async function ensure(names: string[], options: Options = {}): Promise<Service[]> {
  const layout = options.layout ?? defaultLayout();
  const services = normalize(names);
  const problems = await Promise.all(services.map((s) => notReady(s, layout)));
  if (problems.every((p) => p === undefined)) return [];
  return (await up(names, options)).started;
}

// ------------------------------------------------------------------ down

/** Stops what this command started (native pids, Docker services it brought up). */
export async function down(names?: string[], options: Options = {}): Promise<string[]> {
  const layout = options.layout ?? defaultLayout();
  const report = options.report ?? (() => undefined);
  const services = normalize(names);
  const stopped: string[] = [];
  const docker = readState(layout).docker.filter((s) => services.includes(s));
  if (docker.length) {
    const all = readState(layout).docker.every((s) => docker.includes(s));
    const compNames = docker.flatMap((s) => COMPOSE_SERVICES[s]);
    report(`docker compose ${all ? 'down' : `rm -s -f ${compNames.join(' ')}`}`);
    await compose(all ? ['down'] : ['rm', '-s', '-f', ...compNames]);
    rememberDocker(layout, docker, false);
    stopped.push(...docker.map((s) => `${s} (docker)`));
  }
  const work: Promise<void>[] = [];
  if (services.includes('kafka')) {
    work.push(
      (async () => {
        const running = layout.kafkaNodes.filter((n) => recordedPid(layout, n) !== undefined);
        if (!running.length) return;
        report(`kafka: stopping ${running.map((n) => n.name).join(', ')}`);
        await stopNodes(layout, running);
        stopped.push(...running.map((n) => `${n.name} (native)`));
      })(),
    );
  }
  if (services.includes('nginx')) {
    work.push(
      (async () => {
        if (await stopNginx(layout)) stopped.push('nginx (native)');
      })(),
    );
  }
  await Promise.all(work);
  return stopped;
}
