// Before the services' state was per user, each checkout kept it in its own .cache/services/ (pid
// files there, or none when the other run's cleanup had deleted them). On first use of the per-user
// state, this checkout's running Kafka nodes and nginx are adopted: found by their command lines,
// recorded where they really run (their old folders, so a restart keeps their data), nothing
// killed; the compose services that folder's state.json named, likewise; the fetched Kafka jars
// and nginx's CA are copied to the per-user places; an ADOPTED file in the old folder says it was
// done. Other checkouts adopt theirs when they first run.

import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../demos/kit/paths.ts';
import { defaultLayout, KAFKA_VERSION, type Layout, LEGACY_DIR } from './layout.ts';
import { pidsWith } from './proc.ts';
import { type Options, readState, type Service, updateState } from './state.ts';

/** host:port a node's server.properties advertises. */
function advertised(properties: string): string | undefined {
  try {
    return /^advertised\.listeners=CLIENT:\/\/(\S+)$/m.exec(readFileSync(properties, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** What was adopted, for one report line; empty when there was nothing to adopt. */
export async function adoptLegacy(layout: Layout, legacy = LEGACY_DIR): Promise<string[]> {
  if (!existsSync(legacy) || layout.dir === legacy) return [];
  // Once: a second state folder (WIRENOTES_STATE_DIR set later, a test's) must not record the
  // same processes again, or two states would each think they may stop them.
  const marker = join(legacy, 'ADOPTED');
  if (existsSync(marker)) return [];
  const adopted = await adoptInto(layout, legacy);
  writeFileSync(marker, `adopted into ${layout.dir} on ${new Date().toISOString()}\n`);
  return adopted;
}

async function adoptInto(layout: Layout, legacy: string): Promise<string[]> {
  const known = readState(layout).units;
  const found: Record<
    string,
    { service: Service; pid: number; marker: string; dir: string; address?: string }
  > = {};
  for (const node of layout.kafkaNodes) {
    const dir = join(legacy, 'kafka', node.name);
    const marker = join(dir, 'server.properties');
    const [pid] = pidsWith(marker);
    if (pid !== undefined && !known[node.name]) {
      found[node.name] = { service: 'kafka', pid, marker, dir, address: advertised(marker) };
    }
  }
  const nginxDir = join(legacy, 'nginx');
  const [nginx] = pidsWith(`-p ${nginxDir}/`);
  if (nginx !== undefined && !known.nginx) {
    found.nginx = { service: 'nginx', pid: nginx, marker: nginxDir, dir: nginxDir };
  }
  let docker: Service[] = [];
  try {
    docker =
      (JSON.parse(readFileSync(join(legacy, 'state.json'), 'utf8')) as { docker?: Service[] })
        .docker ?? [];
  } catch {
    // No state.json: nothing was started with compose from there.
  }
  const compose = docker.flatMap((s) =>
    (s === 'kafka' ? layout.kafkaNodes.map((n) => n.name) : [s]).filter((u) => !known[u]),
  );
  const libs = join(legacy, 'kafka', `libs-${KAFKA_VERSION}`);
  if (existsSync(join(libs, '.complete')) && !existsSync(join(layout.libsDir, '.complete'))) {
    cpSync(libs, layout.libsDir, { recursive: true });
  }
  if (!Object.keys(found).length && !compose.length) return [];
  const ca = join(nginxDir, 'certs');
  if (found.nginx && existsSync(join(ca, 'ca.pem'))) {
    cpSync(ca, join(layout.dir, 'nginx', 'certs'), { recursive: true });
  }
  await updateState(layout, (s) => {
    for (const [unit, f] of Object.entries(found)) {
      s.units[unit] ??= {
        service: f.service,
        via: 'native',
        pid: f.pid,
        marker: f.marker,
        dir: f.dir,
        address: f.address,
        checkout: ROOT,
        since: new Date().toISOString(),
      };
    }
    for (const unit of compose) {
      s.units[unit] ??= {
        service: (unit.startsWith('kafka-') ? 'kafka' : unit) as Service,
        via: 'docker',
        checkout: ROOT,
        since: new Date().toISOString(),
      };
    }
  });
  return [...Object.keys(found), ...compose];
}

/**
 * The layout and report of one call; for the default layout, first adopts what this checkout
 * started before the state was per user.
 */
export async function prepare(
  options: Options,
): Promise<{ layout: Layout; report: (l: string) => void }> {
  const report = options.report ?? (() => undefined);
  const layout = options.layout ?? defaultLayout();
  mkdirSync(layout.dir, { recursive: true });
  if (!options.layout) {
    const adopted = await adoptLegacy(layout);
    if (adopted.length) {
      report(
        `adopted ${adopted.join(', ')}, started from ${LEGACY_DIR} before the state was per user; now recorded in ${layout.dir}`,
      );
    }
  }
  return { layout, report };
}
