// Native services beyond Kafka and nginx: one entry in LAUNCHERS each, and `npm run services --
// up|down|status <name>` (and `npm test`'s global setup, and `clean`) handle it. The interface is
// documented at the top of services/api.ts. A launcher lives in its own file
// (services/<name>-native.ts) and is imported here; its service needs a record in
// demos/kit/endpoints.ts SERVICES with the same name (hint, env variables, probe).

import type { NativeLauncher } from './launcher.ts';
import { mariadb114 } from './mariadb114-native.ts';
import { postgres17 } from './postgres17-native.ts';
import { replication } from './replication-native.ts';

export const LAUNCHERS: NativeLauncher[] = [postgres17, mariadb114, replication];
