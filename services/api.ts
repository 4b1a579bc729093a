// services/api.ts — the programmatic face of `npm run services`; the CLI (services/cli.ts), the
// vitest global setup and the demos use the same functions:
//
//   up(names?, options?)      start what is not running (Docker when an engine answers, else
//                             native; options.mode forces one) and wait until each is ready
//   ensure(names)             up() for the services not already ready; quiet when all are
//   down(names?)              stop what the records say `npm run services` started (from any
//                             checkout), and forget it
//   status(names?)            one row per service (and per Kafka node): address, up, started by,
//                             and the checkout that started it
//   stopNode('kafka-2')       stop one Kafka node (native: SIGTERM → controlled shutdown; Docker:
//                             `docker compose stop`); resolves when its process is gone
//   startNode('kafka-2')      start it again (same folder, same data); resolves when the node is
//                             back in the metadata
//   clean(options?)           remove what dead runs left in the shared services (clean.ts)
//   withLease / acquireLease  shared and exclusive leases for demos that stop a broker (lease.ts)
//
// Ready means: Kafka — every node id in a metadata request (kafkajs admin.describeCluster);
// postgres/mariadb — `SELECT 1`; nginx — GET /healthz answers 200 and the TLS port accepts; a
// native launcher — its own notReady().
// State is per user, not per checkout: records in $WIRENOTES_STATE_DIR (default
// $XDG_STATE_HOME/wirenotes, i.e. ~/.local/state/wirenotes) — pid, command-line marker, folder,
// address, and the checkout that started each unit (state.ts); data, logs and the nginx CA live
// there too; downloads (Kafka's jars) in $XDG_CACHE_HOME/wirenotes. up, down, stop, start and
// clean hold the services lock (<state>/services.lock) and write records atomically; reading
// never deletes a record. On first use a checkout's old .cache/services/ is adopted (adopt.ts).
// Failures throw ServiceError with a one-line message (a node that died during start adds the
// tail of its log); unknown names and junk environment variables throw the kit's UsageError.
// stopNode() on a node no record names (an external broker) throws rather than kill someone
// else's process. Every function takes options.layout to work on another state folder and ports
// (the tests' and the bench's isolated clusters).
//
// A NATIVE SERVICE beyond Kafka and nginx (postgres17, mariadb114, replication, …) is ONE entry in
// services/launchers.ts LAUNCHERS, implementing NativeLauncher (services/launcher.ts):
//
//   export const postgres17: NativeLauncher = {
//     name: 'postgres17',                 // its record's key in demos/kit/endpoints.ts SERVICES
//     summary: 'PostgreSQL 17 from Maven Central (zonky embedded binaries), 127.0.0.1:5433',
//     compose: ['postgres17'],            // optional: its docker-compose.yml service(s)
//     address: () => urlAddress(serviceEnv('postgres17').PG17_URL, 5432),
//     notReady: () => selectOne(...),     // undefined when ready, else why not (one line)
//     start: async (ctx) => {             // under the services lock, only when notReady() said why
//       const bin = await fetchOnce(ctx.cache, …);          // downloads: per-user cache
//       if (!initialised(ctx.dir)) await initdb(bin, ctx.dir);  // data: <state>/postgres17/
//       await ctx.spawn(join(bin, 'postgres'), ['-D', join(ctx.dir, 'data'), '-p', '5433'], {
//         marker: join(ctx.dir, 'data'),  // a substring of its command line (default: ctx.dir)
//       });                               // recorded: pid, marker, folder, checkout
//     },
//     stop: async (ctx, unit, pid) => …,  // optional; default SIGTERM, then SIGKILL after 20 s
//     readyMs: 60_000,                    // optional; how long up() polls notReady() after start
//   };
//
// ctx: { dir, cache, report(line), spawn(command, args, { unit?, log?, marker?, cwd?, env? }),
// pid(unit?) }. Several processes (a primary and a standby): one ctx.spawn each with its own
// `unit` name ('replication-primary', 'replication-standby'); down stops each. Run as another user
// by spawning through `runuser -u <user> --` (PostgreSQL refuses root). up() waits for notReady()
// and fails at once, with the log's tail, if a spawned process exits; `status` shows one row per
// service; `clean` needs nothing from a launcher.

import { performance } from 'node:perf_hooks';
import { endpoints, hintFor, needRecord, probe, type ServiceName } from '../demos/kit/endpoints.ts';
import { prepare } from './adopt.ts';
import { launcherFor, SERVICES, serviceAddress } from './catalog.ts';
import { type Database, databaseAddress, databaseHint } from './databases.ts';
import { compose, dockerCheck, pull } from './docker.ts';
import {
  exitedError,
  nodePid,
  recordedPid,
  staleError,
  staleNodes,
  startNodes,
  stopNodes,
} from './kafka-native.ts';
import { brokersInMetadata, waitForBrokers } from './kafka-probe.ts';
import { downNative, runsNatively, upNative } from './launcher.ts';
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
import { address, type CoreService, KAFKA_READY_MS, nginxProblem, notReady } from './readiness.ts';
import {
  dockerUnits,
  forget,
  type Mode,
  normalize,
  type Options,
  readState,
  remember,
  type Service,
  withServicesLock,
} from './state.ts';

export { launcherFor, SERVICES, serviceAddress } from './catalog.ts';
export { startNode, stopNode } from './kafka-node.ts';
export { acquireLease } from './lease.ts';
export { ServiceError } from './proc.ts';
export type { Mode, Options, Service } from './state.ts';
export { type StatusRow, status } from './status.ts';

const NGINX_READY_MS = 15_000;

// ------------------------------------------------------------------ up

async function chooseDocker(mode: Mode, report: (l: string) => void): Promise<boolean> {
  if (mode === 'native') return false;
  const { problem, hint } = await dockerCheck();
  if (hint && !problem) report(hint);
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
  if (stale.length) throw staleError(layout, stale);
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
      `kafka: not all 3 brokers in metadata after ${KAFKA_READY_MS / 1000} s (seen: ${now.join(', ') || 'none'}); logs: ${layout.dir}/kafka/kafka-N/kafka.log`,
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

/** The docker-compose.yml services of one of ours (none: it has no Docker path). */
function composeServices(s: Service, layout: Layout): string[] {
  if (s === 'kafka') return layout.kafkaNodes.map((n) => n.name);
  const l = launcherFor(s);
  return l ? (l.compose ?? []) : [s];
}

export async function upDocker(layout: Layout, services: Service[], report: (l: string) => void) {
  if (services.includes('nginx')) preparePrefix(layout); // the certificates compose mounts
  const names = services.flatMap((s) => composeServices(s, layout));
  report(`docker compose pull ${names.join(' ')}`);
  await pull(layout, names, report);
  report(`docker compose up -d --wait ${names.join(' ')}`);
  await compose(layout, ['up', '-d', '--wait', ...names]);
  for (const s of services) {
    for (const unit of composeServices(s, layout))
      await remember(layout, unit, { service: s, via: 'docker' });
  }
}

/**
 * Natively a service runs binaries of the machine's (Java and Maven for Kafka, nginx, PostgreSQL
 * 15's): the registry of needs says which (`after`); a missing one is named, with how to get it,
 * before anything starts.
 */
async function needPrerequisites(services: Service[]): Promise<void> {
  const before = [...new Set(services.flatMap((s) => needRecord(s as ServiceName).after ?? []))];
  const found = await Promise.all(before.map((n) => probe(n as ServiceName)));
  const lacking = found.filter((f) => !f.ok);
  if (!lacking.length) return;
  const of = (n: string) => services.filter((s) => needRecord(s as ServiceName).after?.includes(n));
  throw new ServiceError(
    lacking
      .map((f) => `${of(f.name).join(', ')} needs ${f.name}: ${f.problem} — ${hintFor(f.name)}`)
      .join('; '),
  );
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

async function problemOf(s: Service, layout: Layout): Promise<string | undefined> {
  const l = launcherFor(s);
  return l ? l.notReady() : notReady(s as CoreService, layout);
}

/** A service this command already runs natively stays native (e.g. one stopped Kafka node). */
function nativeAlready(s: Service, layout: Layout): boolean {
  if (s === 'kafka') return layout.kafkaNodes.some((n) => nodePid(layout, n) !== undefined);
  if (s === 'nginx') return nginxPid(layout) !== undefined;
  const l = launcherFor(s);
  return l !== undefined && runsNatively(l, layout);
}

/**
 * Starts the services that are not ready and waits for each. Returns what was already up, so
 * callers can tell an idempotent no-op from a start.
 */
export async function up(names?: string[], options: Options = {}): Promise<{ started: Service[] }> {
  const services = normalize(names, SERVICES);
  const { layout, report } = await prepare(options);
  return withServicesLock(
    layout,
    async () => {
      // Checked again under the lock: another run may have started them while we waited.
      const problems = await Promise.all(services.map((s) => problemOf(s, layout)));
      const missing = services.filter((_, i) => problems[i] !== undefined);
      for (const s of services) {
        if (!missing.includes(s)) report(`${s}: up (${serviceAddress(s, layout)})`);
      }
      if (
        services.includes('nginx') &&
        !missing.includes('nginx') &&
        (await reloadIfChanged(layout))
      ) {
        report('nginx: services/nginx/nginx.conf changed since it started: checked and reloaded');
      }
      if (!missing.length) return { started: [] };
      // Before any engine is chosen: a cluster recorded on other ports is not ours to start.
      const stale = missing.includes('kafka') ? staleNodes(layout) : [];
      if (stale.length) throw staleError(layout, stale);

      const units = readState(layout).units;
      const docker = new Set(dockerUnits(layout).map((u) => units[u]?.service));
      const dockerable = missing.filter((s) => composeServices(s, layout).length > 0);
      const viaDocker =
        options.mode !== 'native' &&
        dockerable.length > 0 &&
        (dockerable.some((s) => docker.has(s)) ||
          (await chooseDocker(options.mode ?? 'auto', report)));
      const dockerSet = viaDocker ? dockerable.filter((s) => !nativeAlready(s, layout)) : [];
      if (dockerSet.length) {
        const t0 = performance.now();
        await upDocker(layout, dockerSet, report);
        for (const s of dockerSet) {
          // Healthy containers; now the same readiness as the native path (all 3 brokers, etc.).
          report(`${s}: waiting until ready (${serviceAddress(s, layout)})`);
          let problem: string | undefined;
          const ok = await waitFor(
            async () => {
              problem = await problemOf(s, layout);
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
      await needPrerequisites(native);
      await Promise.all(
        native.map(async (s) => {
          const t0 = performance.now();
          const l = launcherFor(s);
          if (l) await upNative(l, layout, report);
          else if (s === 'kafka') await upKafkaNative(layout, report);
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
    },
    report,
  );
}

/** Makes sure the named services are ready, starting only what is not; silent when all are. */
export async function ensure(names: string[], options: Options = {}): Promise<Service[]> {
  const services = normalize(names, SERVICES);
  const layout = options.layout ?? defaultLayout();
  const problems = await Promise.all(services.map((s) => problemOf(s, layout)));
  if (problems.every((p) => p === undefined)) return [];
  return (await up(names, options)).started;
}

// ------------------------------------------------------------------ down

/** Stops what the records say was started (native pids, compose services), and forgets it. */
export async function down(names?: string[], options: Options = {}): Promise<string[]> {
  const services = normalize(names, SERVICES);
  const { layout, report } = await prepare(options);
  return withServicesLock(
    layout,
    async () => {
      const stopped: string[] = [];
      const docker = dockerUnits(layout, services);
      if (docker.length) {
        const all = dockerUnits(layout).every((u) => docker.includes(u));
        report(`docker compose ${all ? 'down -v' : `rm -s -f -v ${docker.join(' ')}`}`);
        await compose(layout, all ? ['down', '-v'] : ['rm', '-s', '-f', '-v', ...docker]);
        const units = readState(layout).units;
        const named = new Set(docker.map((u) => units[u]?.service));
        await forget(layout, docker);
        stopped.push(...services.filter((s) => named.has(s)).map((s) => `${s} (docker)`));
      }
      const work: Promise<void>[] = [];
      if (services.includes('kafka')) {
        work.push(
          (async () => {
            const running = layout.kafkaNodes.filter((n) => recordedPid(layout, n) !== undefined);
            if (running.length) report(`kafka: stopping ${running.map((n) => n.name).join(', ')}`);
            await stopNodes(
              layout,
              layout.kafkaNodes.filter((n) => !docker.includes(n.name)),
              'forget',
            );
            stopped.push(...running.map((n) => `${n.name} (native)`));
          })(),
        );
      }
      if (services.includes('nginx') && !docker.includes('nginx')) {
        work.push(
          (async () => {
            if (await stopNginx(layout)) stopped.push('nginx (native)');
          })(),
        );
      }
      for (const s of services) {
        const l = launcherFor(s);
        if (l) work.push(downNative(l, layout).then((names) => void stopped.push(...names)));
      }
      await Promise.all(work);
      return stopped;
    },
    report,
  );
}
