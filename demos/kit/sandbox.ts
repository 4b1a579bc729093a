// Kernel parts for a demo, always taken back: network namespaces, veth pairs (with the addresses,
// routes and nft tables inside the namespaces), cgroups (v1 or v2), tmpfs and bind mounts, loop
// devices with their backing files, and processes started in any of them. `openSandbox(runName(…))`
// returns the owner of all of them; each method records what it made, and `close()` removes it in
// reverse order (processes first, the namespaces they ran in last). close() runs on Ctrl-C too
// (interrupt.ts) and can be handed to `t.defer`; `sweepSandboxes()` removes what a killed run left.
// Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN). Nothing here knows about a topic.

import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { atInterrupt } from './interrupt.ts';
import { Cgroup, sweepCgroups } from './sandbox-cgroup.ts';
import { inNetns, type Ran } from './sandbox-exec.ts';
import {
  attachLoop,
  detachLoop,
  mountsUnder,
  removeFolder,
  sweepFolders,
  unmount,
} from './sandbox-mounts.ts';
import { objectName, sandboxTag } from './sandbox-names.ts';
import {
  addNetns,
  addVeth,
  deleteNetns,
  deleteVeth,
  ipIn,
  nftIn,
  sweepNetworks,
  type VethEnd,
  writeNetnsEtc,
} from './sandbox-netns.ts';
import {
  killMarked,
  type SandboxProc,
  type StartOptions,
  startMarked,
  stopProc,
  sweepProcesses,
} from './sandbox-procs.ts';

export { Cgroup, type CgroupVersion, controllerHome, keyed } from './sandbox-cgroup.ts';
export { inNetns, mustRun, type Ran, runCommand } from './sandbox-exec.ts';
export type { SandboxProc } from './sandbox-procs.ts';

export interface ProcOptions extends StartOptions {
  /** Run it inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Put it in this cgroup before it execs the command, so it never runs outside the limits. */
  cgroup?: Cgroup;
}

interface Held {
  what: string;
  remove: () => Promise<void> | void;
}

export class Sandbox {
  private readonly held: Held[] = [];
  private counter = 0;
  private closing: Promise<void> | undefined;
  private readonly release: () => void;
  /** Tells the guardian (sandbox-guard.ts) that close() removed everything. */
  private readonly relieve: () => void;

  /** Its own folder, for root filesystems, mount points and backing files. */
  readonly dir: string;

  constructor(readonly tag: string) {
    this.dir = join(tmpdir(), tag);
    mkdirSync(this.dir, { mode: 0o700 });
    this.release = atInterrupt(() => this.close());
    this.relieve = startGuardian();
  }

  /** A fresh name `<tag><kind><n>` of at most 15 characters (kind: one letter). */
  name(kind: string): string {
    this.counter += 1;
    return objectName(this.tag, kind, this.counter);
  }

  private hold(what: string, remove: Held['remove']): Held {
    if (this.closing) throw new Error(`sandbox ${this.tag} is closed; cannot add ${what}`);
    const held = { what, remove };
    this.held.push(held);
    return held;
  }

  /**
   * Records an object before it exists, so an interrupt that arrives while it is being made
   * removes it once made (never before, which would leave it behind).
   */
  private make<T>(what: string, create: () => Promise<T>, remove: (made: T) => Promise<void>) {
    if (this.closing) throw new Error(`sandbox ${this.tag} is closed; cannot add ${what}`);
    // Recorded in the same tick as the creation starts, before any await.
    const made = create();
    this.hold(what, async () => {
      const value = await made.then(
        (v) => ({ v }),
        () => undefined,
      );
      if (value) await remove(value.v);
    });
    return made;
  }

  /** A new network namespace; it has only `lo`, DOWN. Returns its name. */
  async netns(): Promise<string> {
    const name = this.name('n');
    await this.make(
      `netns ${name}`,
      () => addNetns(name),
      () => deleteNetns(name),
    );
    return name;
  }

  /** A veth pair, each end created in its namespace (undefined: the host's). Returns the names. */
  async veth(netnsA?: string, netnsB?: string, names: Partial<[string, string]> = []) {
    const base = this.name('v');
    const a: VethEnd = { name: names[0] ?? `${base}a`, netns: netnsA };
    const b: VethEnd = { name: names[1] ?? `${base}b`, netns: netnsB };
    for (const end of [a, b])
      if (!end.netns && !end.name.startsWith(this.tag))
        throw new Error(`sandbox: a host-side interface must carry the sandbox tag (${end.name})`);
    await this.make(
      `veth ${a.name}`,
      () => addVeth(a, b),
      () => deleteVeth(a),
    );
    return [a.name, b.name] as [string, string];
  }

  /** `ip -n <netns> …` (addresses, routes, link up); gone with the namespace. Returns stdout. */
  ip(netns: string, args: string[]): Promise<string> {
    return ipIn(netns, args);
  }

  /** Loads an nft ruleset inside the namespace; gone with the namespace. */
  nft(netns: string, ruleset: string): Promise<string> {
    return nftIn(netns, ruleset);
  }

  /**
   * The namespace's own /etc/<file> (resolv.conf, hosts, nsswitch.conf) for what runs in it;
   * rewritten by a later call, gone with the namespace. The host's /etc is untouched.
   */
  etc(netns: string, file: string, text: string): void {
    writeNetnsEtc(netns, file, text);
  }

  /** A cgroup with these controllers (memory, cpu, pids, blkio/io…), v1 or v2 as mounted here. */
  async cgroup(controllers: string[]): Promise<Cgroup> {
    const name = this.name('c');
    return this.make(
      `cgroup ${name}`,
      () => Cgroup.create(name, controllers),
      (c) => c.remove(),
    );
  }

  /** A folder inside the sandbox folder (made if missing); returns its path. */
  path(...parts: string[]): string {
    const dir = join(this.dir, ...parts);
    if (relative(this.dir, dir).startsWith('..')) throw new Error(`sandbox: ${dir} is outside`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Mounts a tmpfs on a folder of the sandbox (`options`: e.g. size=1m,nr_inodes=64). */
  async tmpfs(target: string, options = ''): Promise<void> {
    await this.mount(target, ['-t', 'tmpfs', ...(options ? ['-o', options] : []), 'wn-tmpfs']);
  }

  /** Bind-mounts `source` on a folder of the sandbox, read-only if asked. */
  async bind(source: string, target: string, readOnly = false): Promise<void> {
    await this.mount(target, ['--bind', source]);
    if (readOnly) await this.mountCommand(['-o', 'remount,bind,ro', target]);
  }

  /** Mounts a block device (a loop device made by loop(), with a filesystem) on a folder of the sandbox. */
  async mountDevice(device: string, target: string): Promise<void> {
    await this.mount(target, [device]);
  }

  private async mount(target: string, args: string[]): Promise<void> {
    if (relative(this.dir, target).startsWith('..'))
      throw new Error(`sandbox: mount point ${target} is outside ${this.dir}`);
    mkdirSync(target, { recursive: true });
    await this.make(
      `mount ${target}`,
      () => this.mountCommand([...args, target]),
      () => unmount(target),
    );
  }

  private async mountCommand(args: string[]): Promise<void> {
    const r = await this.run('mount', args);
    if (r.code !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr.trim()}`);
  }

  /** A loop device over a new sparse file of `bytes` in the sandbox folder; returns /dev/loopN. */
  async loop(bytes: number): Promise<{ device: string; file: string }> {
    const file = join(this.path('loops'), this.name('l'));
    writeFileSync(file, '');
    await truncate(file, bytes);
    const device = await this.make(`loop over ${file}`, () => attachLoop(file), detachLoop);
    return { device, file };
  }

  /** Starts a process (in a namespace, a cgroup); it is killed with its group on close(). */
  start(command: string, args: string[], options: ProcOptions = {}): SandboxProc {
    // Refuse before spawning: a process started after close() began would outlive the run.
    if (this.closing) throw new Error(`sandbox ${this.tag} is closed; cannot start ${command}`);
    let [cmd, argv] = [command, args];
    if (options.netns) [cmd, argv] = inNetns(options.netns, cmd, argv);
    if (options.cgroup) {
      // The shell joins the cgroup, then execs the command, so it never runs outside it. It joins
      // before `ip netns exec`, which mounts a fresh /sys that has no cgroup folders.
      const join = 'for f in $WN_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; exec "$@"';
      [cmd, argv] = ['sh', ['-c', join, 'sh', cmd, ...argv]];
    }
    const env = options.cgroup
      ? { ...options.env, WN_CGROUP_PROCS: options.cgroup.procsFiles().join(' ') }
      : options.env;
    const proc = startMarked(this.tag, cmd, argv, { ...options, env });
    const held = this.hold(`process ${proc.pid} (${command})`, () => stopProc(proc));
    // A process that ended needs no cleanup: forget it, so a long run's list does not grow.
    void proc.gone.then(() => {
      const i = this.held.indexOf(held);
      if (i >= 0) this.held.splice(i, 1);
    });
    return proc;
  }

  /** Runs a command to its end (as start() does) and resolves with its status and output. */
  run(command: string, args: string[], options: ProcOptions = {}): Promise<Ran> {
    return this.start(command, args, { input: '', ...options }).exited;
  }

  /** Removes everything, last made first; each removal runs even if an earlier one failed. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const problems: string[] = [];
    // A process that left its group (a daemon) is found by its mark, before anything it uses goes.
    killMarked(this.tag);
    while (this.held.length) {
      const h = this.held.pop() as Held;
      try {
        await h.remove();
      } catch (err) {
        problems.push(`${h.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    try {
      if (mountsUnder(this.dir).length === 0) removeFolder(this.dir);
      else problems.push(`${mountsUnder(this.dir)[0]} is still mounted`);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    this.release();
    if (problems.length) throw new Error(`sandbox ${this.tag} cleanup: ${problems.join('; ')}`);
    this.relieve();
  }
}

/**
 * Starts the guardian that sweeps if this process dies before close() ends (SIGKILL skips every
 * handler); returns the function that tells it all is removed, after which it exits.
 */
function startGuardian(): () => void {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  const guard = fileURLToPath(new URL('./sandbox-guard.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', tsx, guard, String(process.pid)], {
    // Its own session: a Ctrl-C to the terminal's process group does not reach it.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.unref();
  child.stdin?.on('error', () => {});
  // Neither the process nor the pipe may keep this process alive.
  (child.stdin as Socket | null)?.unref();
  return () => child.stdin?.end('closed\n');
}

/** Opens a sandbox owned by this run (`runName(topic)` from kit/names.ts). Root only. */
export function openSandbox(runName: string): Sandbox {
  return new Sandbox(sandboxTag(runName));
}

/** Removes what dead runs' sandboxes left: processes, mounts, loops, cgroups, veths, namespaces. */
export async function sweepSandboxes(): Promise<string[]> {
  const killed = sweepProcesses().map((pid) => `process ${pid}`);
  const cgroups = await sweepCgroups();
  const networks = await sweepNetworks();
  const folders = await sweepFolders();
  return [...killed, ...cgroups, ...networks, ...folders];
}
