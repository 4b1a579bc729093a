// Starting what one step needs, with its lifetime tied to the step: backends, an nginx, an
// HAProxy, each stopped when the step ends (even when it throws, and on Ctrl-C).

import type { StepContext } from '../kit/define.ts';
import { type Backend, startBackends } from './backends.ts';
import type { Env } from './env.ts';
import { type Haproxy, type HaproxyConfig, startHaproxy } from './haproxy.ts';
import { type Nginx, type NginxConfig, startNginx } from './nginx.ts';

export async function backends(t: StepContext, count: number, prefix = 'b'): Promise<Backend[]> {
  const started = await startBackends(count, prefix);
  t.defer(() => Promise.all(started.map((b) => b.close())));
  return started;
}

export async function nginx(
  t: StepContext,
  env: Env,
  name: string,
  c: NginxConfig,
): Promise<Nginx> {
  const instance = await startNginx(env.run, name, c);
  t.defer(() => instance.stop());
  return instance;
}

export async function haproxy(
  t: StepContext,
  env: Env,
  name: string,
  c: HaproxyConfig,
): Promise<Haproxy> {
  const instance = await startHaproxy(env.run, name, c);
  t.defer(() => instance.stop());
  return instance;
}
