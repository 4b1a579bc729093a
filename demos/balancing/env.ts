// What the balancing steps share: the run's directory (every nginx and HAProxy the steps start
// lives under it, and is stopped at closeEnv or on Ctrl-C), and what the sweep of dead runs found.

import type { SetupInfo } from '../kit/define.ts';
import { haproxyBinary, haproxyVersion } from './haproxy.ts';
import { RunDir, sweepStaleRuns } from './instances.ts';
import { nginxBinary, nginxVersion } from './nginx.ts';

export interface Env {
  run: RunDir;
  /** The nginx binary's version, for the facts that changed in 1.29.6 and 1.29.7. */
  nginxVersion: string;
  /** Leftovers of dead runs removed at open: directories, and processes stopped in them. */
  swept: { dirs: number; processes: number };
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const version = nginxVersion(nginxBinary());
  info.uses('nginx', version);
  info.uses('haproxy', haproxyVersion(haproxyBinary()));
  const swept = sweepStaleRuns();
  return { run: new RunDir(), nginxVersion: version, swept };
}

export async function closeEnv(env: Env): Promise<void> {
  await env.run.close();
}
