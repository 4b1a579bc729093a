// `npm run services -- status`: one row per service, and per Kafka node, with its address,
// whether it is ready, who started it (native, docker compose, or external: something answers
// that no record names) and from which checkout.

import { prepare } from './adopt.ts';
import { launcherFor, SERVICES, serviceAddress } from './catalog.ts';
import { composeRunning } from './docker.ts';
import { nodePid } from './kafka-native.ts';
import { brokersInMetadata } from './kafka-probe.ts';
import { runsNatively } from './launcher.ts';
import { nginxPid } from './nginx-native.ts';
import { type CoreService, nodeAddress, notReady } from './readiness.ts';
import { dockerUnits, normalize, type Options, readState, type StartedBy } from './state.ts';

export interface StatusRow {
  service: string;
  address: string;
  up: boolean;
  startedBy?: StartedBy;
  /** The checkout whose run started it (native or docker). */
  checkout?: string;
  detail?: string;
}

export async function status(names?: string[], options: Options = {}): Promise<StatusRow[]> {
  const services = normalize(names, SERVICES);
  const { layout } = await prepare(options);
  const units = readState(layout).units;
  const docker = dockerUnits(layout);
  const running = docker.length ? await composeRunning(layout) : new Set<string>();
  const byDocker = (unit: string) => docker.includes(unit) && running.has(unit);
  const rows = await Promise.all(
    services.map(async (service): Promise<StatusRow[]> => {
      if (service === 'kafka') {
        const seen = (await brokersInMetadata(layout.kafkaNodes)) ?? [];
        return layout.kafkaNodes.map((n) => {
          const up = seen.includes(n.id);
          const pid = nodePid(layout, n);
          const by: StartedBy | undefined =
            pid !== undefined
              ? 'native'
              : byDocker(n.name)
                ? 'docker'
                : up
                  ? 'external'
                  : undefined;
          const record = units[n.name];
          const detail =
            pid !== undefined && !up
              ? `pid ${pid}, not in metadata`
              : !up && record?.via === 'native' && record.pid === undefined
                ? `stopped (\`npm run services -- start ${n.name}\`)`
                : undefined;
          return {
            service: n.name,
            address: nodeAddress(n),
            up,
            startedBy: by,
            checkout: by === 'native' || by === 'docker' ? record?.checkout : undefined,
            detail,
          };
        });
      }
      const l = launcherFor(service);
      const problem = l ? await l.notReady() : await notReady(service as CoreService, layout);
      const native = l
        ? runsNatively(l, layout)
        : service === 'nginx' && nginxPid(layout) !== undefined;
      const unitNames = Object.keys(units).filter((u) => units[u]?.service === service);
      const by: StartedBy | undefined = native
        ? 'native'
        : unitNames.some(byDocker)
          ? 'docker'
          : problem === undefined
            ? 'external'
            : undefined;
      return [
        {
          service,
          address: serviceAddress(service, layout),
          up: problem === undefined,
          startedBy: by,
          checkout:
            by === 'native' || by === 'docker' ? units[unitNames[0] ?? '']?.checkout : undefined,
          detail: problem,
        },
      ];
    }),
  );
  return rows.flat();
}
