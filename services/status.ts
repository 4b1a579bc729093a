// `npm run services -- status`: one row per service, and per Kafka node, with its address,
// whether it is ready, and who started it (native pid file, docker compose, or external).

import { composeRunning } from './docker.ts';
import { nodePid } from './kafka-native.ts';
import { brokersInMetadata } from './kafka-probe.ts';
import { defaultLayout } from './layout.ts';
import { nginxPid } from './nginx-native.ts';
import { address, nodeAddress, notReady } from './readiness.ts';
import { normalize, type Options, readState, type StartedBy } from './state.ts';

export interface StatusRow {
  service: string;
  address: string;
  up: boolean;
  startedBy?: StartedBy;
  detail?: string;
}

export async function status(names?: string[], options: Options = {}): Promise<StatusRow[]> {
  const layout = options.layout ?? defaultLayout();
  const services = normalize(names);
  const docker = readState(layout).docker;
  const running = docker.length ? await composeRunning() : new Set<string>();
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
              : docker.includes('kafka') && running.has(n.name)
                ? 'docker'
                : up
                  ? 'external'
                  : undefined;
          const detail = pid !== undefined && !up ? `pid ${pid}, not in metadata` : undefined;
          return { service: n.name, address: nodeAddress(n), up, startedBy: by, detail };
        });
      }
      const problem = await notReady(service, layout);
      const by: StartedBy | undefined =
        service === 'nginx' && nginxPid(layout) !== undefined
          ? 'native'
          : docker.includes(service) && running.has(service)
            ? 'docker'
            : problem === undefined
              ? 'external'
              : undefined;
      return [
        {
          service,
          address: address(service, layout),
          up: problem === undefined,
          startedBy: by,
          detail: problem,
        },
      ];
    }),
  );
  return rows.flat();
}
