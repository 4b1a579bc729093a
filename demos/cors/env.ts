// What the CORS steps and the agreement test share: the page and API servers, an undici agent
// that resolves the demo's host names to 127.0.0.1, and Chromium when it is wanted and installed.

import type { LookupAddress } from 'node:dns';
import { Agent } from 'undici';
import { selfSignedCert } from '../kit/cert.ts';
import type { SetupInfo } from '../kit/define.ts';
import { runSuffix } from '../kit/endpoints.ts';
import { DemoBrowser } from './browser.ts';
import type { Ports } from './cases.ts';
import {
  type ApiServer,
  type RecordingServer,
  startApiServer,
  startPageServer,
} from './servers.ts';

export interface Env {
  api: ApiServer;
  page: RecordingServer;
  /** The same pages over https, for the mixed-content step. */
  securePage: RecordingServer;
  ports: Ports;
  /** Chromium, when it is installed (the browser steps need it). */
  browser?: DemoBrowser;
  /** undici agent that resolves the demo's host names to 127.0.0.1, as Chromium's rule does. */
  agent: Agent;
  suffix: string;
  seq: number;
  /** API origins the browser has logged in to (it holds their session cookie). */
  loggedIn: Set<string>;
}

/** An undici agent that connects every host name to 127.0.0.1 (the demo's servers). */
function loopbackAgent(): Agent {
  return new Agent({
    connect: {
      lookup: (_host, options, callback) => {
        const cb = callback as (
          err: Error | null,
          address: string | LookupAddress[],
          family?: number,
        ) => void;
        if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
        else cb(null, '127.0.0.1', 4);
      },
    },
  });
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const api = await startApiServer();
  const page = await startPageServer();
  const cert = selfSignedCert();
  const securePage = await startPageServer(cert);
  const env: Env = {
    api,
    page,
    securePage,
    ports: { api: api.port, page: page.port },
    agent: loopbackAgent(),
    suffix: runSuffix(),
    seq: 0,
    loggedIn: new Set(),
  };
  try {
    if (info.available.has('chromium')) {
      env.browser = await DemoBrowser.launch(cert);
      info.uses('chromium', env.browser.version);
    }
  } catch (err) {
    await closeEnv(env);
    throw err;
  }
  return env;
}

export async function closeEnv(env: Env): Promise<void> {
  try {
    await env.browser?.close();
  } finally {
    await Promise.all([
      env.api.close(),
      env.page.close(),
      env.securePage.close(),
      env.agent.close(),
    ]);
  }
}
