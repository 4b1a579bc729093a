// What the steps share: the run's name, from which each step opens its own sandbox of kernel
// parts (kit/sandbox.ts), closed when the step ends (t.defer) or on Ctrl-C. openEnv first sweeps
// what dead runs left (namespaces, veths, cgroups, mounts, processes) and says how much.

import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import type { SetupInfo, StepContext } from '../kit/define.ts';
import { runName } from '../kit/names.ts';
import { controllerHome, openSandbox, type Sandbox, sweepSandboxes } from '../kit/sandbox.ts';

export interface Env {
  /** `wn_containers_…`: the owner of this run's sandboxes. */
  run: string;
  /** What openEnv removed of dead runs. */
  swept: string[];
  /** Sandboxes still open (a step interrupted before its cleanup ran). */
  open: Set<Sandbox>;
}

function toolVersion(command: string, pattern: RegExp): string {
  const said = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return pattern.exec(`${said.stdout}${said.stderr}`)?.[1] ?? 'unknown';
}

/** The cgroup version that holds `controller` here ("1" or "2"), the part a VersionFact names. */
export function cgroupVersionOf(controller: string): string {
  return String(controllerHome(controller)?.version ?? 'none');
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const swept = await sweepSandboxes();
  info.uses('linux', release());
  info.uses('util-linux', toolVersion('unshare', /util-linux (\S+)/));
  info.uses(
    'iproute2',
    spawnSync('ip', ['-V'], { encoding: 'utf8' }).stdout.match(/iproute2-(\S+?),/)?.[1] ??
      'unknown',
  );
  for (const c of ['memory', 'cpu', 'pids']) info.uses(`cgroup ${c}`, `v${cgroupVersionOf(c)}`);
  return { run: runName('containers'), swept, open: new Set() };
}

/** A sandbox for one step: closed when the step ends, even when it throws. */
export function sandboxFor(t: StepContext, env: Env): Sandbox {
  const sb = openSandbox(env.run);
  env.open.add(sb);
  t.defer(async () => {
    env.open.delete(sb);
    await sb.close();
  });
  return sb;
}

/** A sandbox for one lab check: dead runs' leftovers swept first, closed when the check ends. */
export async function labSandbox(t: StepContext): Promise<Sandbox> {
  await sweepSandboxes();
  return sandboxFor(t, { run: runName('containers'), swept: [], open: new Set() });
}

export async function closeEnv(env: Env): Promise<void> {
  await Promise.all([...env.open].map((sb) => sb.close()));
}
