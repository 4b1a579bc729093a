// The services `npm run services` manages: the four it has always known, then one per native
// launcher (services/launchers.ts), and where each one listens.

import type { NativeLauncher } from './launcher.ts';
import { LAUNCHERS } from './launchers.ts';
import type { Layout } from './layout.ts';
import { address, type CoreService } from './readiness.ts';
import type { Service } from './state.ts';

/** Every service `npm run services` manages, in status order. */
export const SERVICES: Service[] = [
  'kafka',
  'postgres',
  'mariadb',
  'nginx',
  ...LAUNCHERS.map((l) => l.name),
];

export function launcherFor(s: Service): NativeLauncher | undefined {
  return LAUNCHERS.find((l) => l.name === s);
}

/** host:port,… of a service, for status and progress lines. */
export function serviceAddress(s: Service, layout: Layout): string {
  return launcherFor(s)?.address() ?? address(s as CoreService, layout);
}
