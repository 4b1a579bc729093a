// FRR routers in the run's namespaces: per router, zebra (which writes routes into the kernel of
// its namespace) and one protocol daemon (ospfd or bgpd), each started by the kit's sandbox, so
// they are killed at the end, on Ctrl-C and by the next run's sweep. The daemons start as root and
// drop to the `frr` user (FRR 8.4 refuses `-u root`: root is not in the frrvty group), so each
// router's folder (config, pid files, the zebra socket and the vty sockets) is one that `frr` owns
// and can reach. The daemons also write to the host's /run/frr (ospfd's graceful-restart state)
// and /var/tmp/frr (crash logs): each sees a private tmpfs there instead, which goes with it.

import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FRR_LIB } from '../kit/needs-system.ts';
import { mustRun, type SandboxProc } from '../kit/sandbox.ts';
import { systemUser } from '../kit/system-user.ts';
import { waitFor } from '../kit/wait.ts';
import type { Env } from './env.ts';

export type Protocol = 'ospfd' | 'bgpd';

export interface RouterSpec {
  name: string;
  ns: string;
  /** The protocol daemon's configuration (frr.conf syntax). */
  config: string;
}

export interface Router {
  name: string;
  ns: string;
  /** Runs vtysh commands against this router's daemons; resolves with what they printed. */
  vtysh(...commands: string[]): Promise<string>;
  /** One `show … json` command, parsed. */
  json<T>(command: string): Promise<T>;
  /** What the protocol daemon logged so far (--log stdout). */
  log(): string;
  /** Kills its daemons (what they put in the kernel stays until the namespace goes). */
  stop(): void;
}

/** Where the daemons write outside their own folder: each sees a private tmpfs there instead. */
const PRIVATE = ['/run', '/var/tmp'];
/** What they would write there: the host's copies must get nothing from a run. */
const HOST_FOLDERS = ['/run/frr', '/var/tmp/frr'];
const START_TIMEOUT_MS = 10_000;

/** `zebra --version`: "zebra version 8.4.4". */
export async function frrVersion(): Promise<string> {
  const out = await mustRun(join(FRR_LIB, 'zebra'), ['--version']);
  return /version (\S+)/.exec(out)?.[1] ?? '?';
}

/** Entries of the host's FRR folders made or changed since `sinceMs` (none: the tmpfs held). */
export function hostWrites(sinceMs: number): string[] {
  return HOST_FOLDERS.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .map((name) => join(dir, name))
        .filter((path) => statSync(path).mtimeMs >= sinceMs);
    } catch {
      return []; // no such folder: nothing was written there
    }
  });
}

/** Starts zebra on every router, then (once each one's zebra listens) the protocol daemon. */
export async function startRouters(
  env: Env,
  protocol: Protocol,
  specs: RouterSpec[],
): Promise<Router[]> {
  const user = systemUser('frr');
  if (!user) throw new Error('there is no `frr` user: install FRR (npm run setup)');
  const dirs = specs.map((s) => env.sandbox.pathFor(user, 'frr', s.name));
  const start = (daemon: string, spec: RouterSpec, dir: string) => {
    const conf = join(dir, `${daemon}.conf`);
    writeFileSync(conf, daemon === 'zebra' ? `hostname ${spec.name}\n` : spec.config, {
      mode: 0o644,
    });
    // -P 0: no TCP vty, vtysh talks over the sockets in the folder only.
    const args = ['-f', conf, '-i', join(dir, `${daemon}.pid`), '-z', join(dir, 'zserv.api')];
    args.push('--vty_socket', dir, '-P', '0', '--log', 'stdout');
    return env.sandbox.start(join(FRR_LIB, daemon), args, { netns: spec.ns, tmpfs: PRIVATE });
  };
  const ready = (proc: SandboxProc, file: string, what: string) =>
    waitFor(
      what,
      () => {
        if (!proc.running()) throw new Error(`exited: ${proc.stdout().trim().slice(-300)}`);
        return existsSync(file) && statSync(file).isSocket() ? true : undefined;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 20 },
    );
  const procs = specs.map(() => [] as SandboxProc[]);
  // A daemon that finds no zebra socket retries only after 10 s: zebra must listen first.
  for (const daemon of ['zebra', protocol]) {
    await Promise.all(
      specs.map((s, i) => {
        const dir = dirs[i] as string;
        const proc = start(daemon, s, dir);
        procs[i]?.push(proc);
        const socket = daemon === 'zebra' ? 'zserv.api' : `${daemon}.vty`;
        return ready(proc, join(dir, socket), `${daemon} of ${s.name}`);
      }),
    );
  }
  return specs.map((s, i) => router(env, s, dirs[i] as string, procs[i] ?? []));
}

function router(env: Env, spec: RouterSpec, dir: string, procs: SandboxProc[]): Router {
  const vtysh = async (...commands: string[]) => {
    const args = ['--vty_socket', dir, ...commands.flatMap((c) => ['-c', c])];
    const r = await env.sandbox.run('vtysh', args);
    if (r.code !== 0)
      throw new Error(
        `${spec.name}: vtysh ${commands.join('; ')}: ${`${r.stdout}${r.stderr}`.trim()}`,
      );
    return r.stdout;
  };
  return {
    name: spec.name,
    ns: spec.ns,
    vtysh,
    json: async <T>(command: string) => JSON.parse(await vtysh(command)) as T,
    log: () => procs.at(-1)?.stdout() ?? '',
    stop: () => {
      for (const p of procs) p.kill();
    },
  };
}
