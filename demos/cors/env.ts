// What the CORS steps and the agreement test share: the page and API servers, an undici agent,
// and Chromium when it is wanted and installed.

import { runSuffix } from '../kit/services.ts';
import { DemoBrowser } from './browser.ts';
import { type Env, loopbackAgent } from './probe.ts';
import { startApiServer, startPageServer } from './servers.ts';

export async function startCorsEnv(withBrowser: boolean): Promise<Env> {
  const api = await startApiServer();
  const page = await startPageServer();
  const env: Env = {
    api,
    page,
    ports: { api: api.port, page: page.port },
    agent: loopbackAgent(),
    suffix: runSuffix(),
    seq: 0,
    loggedIn: new Set(),
  };
  try {
    if (withBrowser) env.browser = await DemoBrowser.launch();
  } catch (err) {
    await stopCorsEnv(env);
    throw err;
  }
  return env;
}

export async function stopCorsEnv(env: Env): Promise<void> {
  try {
    await env.browser?.close();
  } finally {
    await Promise.all([env.api.close(), env.page.close(), env.agent.close()]);
  }
}
