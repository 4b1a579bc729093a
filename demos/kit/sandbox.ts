// Kernel parts for a demo, always taken back: network namespaces, veth pairs (with the addresses,
// routes and nft tables inside the namespaces), cgroups (v1 or v2), tmpfs and bind mounts, loop
// devices with their backing files, and processes started in any of them. `openSandbox(runName(…))`
// returns the owner of all of them; each method records what it made, and `close()` removes it in
// reverse order (processes first, the namespaces they ran in last). close() runs on Ctrl-C too
// (interrupt.ts) and can be handed to `t.defer`; `sweepSandboxes()` removes what a killed run left.
// Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN). Nothing here knows about a topic.

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atInterrupt } from './interrupt.ts';
import { Cgroup, sweepCgroups } from './sandbox-cgroup.ts';
import { inNetns, type Ran, withTmpfs } from './sandbox-exec.ts';
import {
  deleteLinkSync,
  deleteNetnsSync,
  detachLoopsOfSync,
  removeCgroupSync,
  unmountSync,
} from './sandbox-exit.ts';
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
import { reachableByAll, type SystemUser } from './system-user.ts';

export { Cgroup, type CgroupVersion, controllerHome, keyed } from './sandbox-cgroup.ts';
export { inNetns, mustRun, type Ran, runCommand } from './sandbox-exec.ts';
export type { SandboxProc } from './sandbox-procs.ts';

export interface ProcOptions extends StartOptions {
  /** Run it inside this network namespace (`ip netns exec`). */
  netns?: string;
  /** Put it in this cgroup before it execs the command, so it never runs outside the limits. */
  cgroup?: Cgroup;
  /**
   * Folders it sees as empty tmpfs of its own (with `netns` only: ip netns exec gives it a mount
   * namespace): what a daemon writes to the host's /run or /var/tmp goes with it, however it ends.
   */
  tmpfs?: string[];
}

interface Held {
  what: string;
  remove: () => Promise<void> | void;
  /** The same removal, synchronous, for process.on('exit') (idempotent). */
  removeSync: () => void;
}

export class Sandbox {
  private readonly held: Held[] = [];
  private counter = 0;
  private closing: Promise<void> | undefined;
  private readonly release: () => void;

  /** Its own folder, for root filesystems, mount points and backing files. */
  readonly dir: string;

  constructor(readonly tag: string) {
    this.dir = join(tmpdir(), tag);
    mkdirSync(this.dir, { mode: 0o700 });
    const releaseInterrupt = atInterrupt(() => this.close());
    const onExit = () => this.closeSync();
    process.on('exit', onExit);
    this.release = () => {
      releaseInterrupt();
      process.off('exit', onExit);
    };
  }

  /** A fresh name `<tag><kind><n>` of at most 15 characters (kind: one letter). */
  name(kind: string): string {
    this.counter += 1;
    return objectName(this.tag, kind, this.counter);
  }

  private hold(what: string, remove: Held['remove'], removeSync: Held['removeSync']): Held {
    if (this.closing) throw new Error(`sandbox ${this.tag} is closed; cannot add ${what}`);
    const held = { what, remove, removeSync };
    this.held.push(held);
    return held;
  }

  /**
   * Records an object before it exists, so an interrupt that arrives while it is being made
   * removes it once made (never before, which would leave it behind).
   */
  private make<T>(
    what: string,
    create: () => Promise<T>,
    remove: (made: T) => Promise<void>,
    removeSync: () => void,
  ) {
    if (this.closing) throw new Error(`sandbox ${this.tag} is closed; cannot add ${what}`);
    // Recorded in the same tick as the creation starts, before any await.
    const made = create();
    this.hold(
      what,
      async () => {
        const value = await made.then(
          (v) => ({ v }),
          () => undefined,
        );
        if (value) await remove(value.v);
      },
      removeSync,
    );
    return made;
  }

  /** A new network namespace; it has only `lo`, DOWN. Returns its name. */
  async netns(): Promise<string> {
    const name = this.name('n');
    await this.make(
      `netns ${name}`,
      () => addNetns(name),
      () => deleteNetns(name),
      () => deleteNetnsSync(name),
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
      () => deleteLinkSync(a.name, a.netns),
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
      () => removeCgroupSync(name),
    );
  }

  /** A folder inside the sandbox folder (made if missing); returns its path. */
  path(...parts: string[]): string {
    const dir = join(this.dir, ...parts);
    if (relative(this.dir, dir).startsWith('..')) throw new Error(`sandbox: ${dir} is outside`);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * A folder of the sandbox owned by `user`, for a daemon that starts as root and drops to that
   * user (FRR's become `frr`). The sandbox folder then lets others pass (0711: they reach a name
   * they know, and cannot list it); the folders above it must let them too.
   */
  pathFor(user: SystemUser, ...parts: string[]): string {
    if (!reachableByAll(this.dir))
      throw new Error(
        `sandbox: ${user.name} cannot reach ${this.dir}, a folder above it is closed to others: set TMPDIR to one that is not`,
      );
    chmodSync(this.dir, 0o711);
    const dir = this.path(...parts);
    chownSync(dir, user.uid, user.gid);
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
      () => unmountSync(target),
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
    const device = await this.make(
      `loop over ${file}`,
      () => attachLoop(file),
      detachLoop,
      () => detachLoopsOfSync(file),
    );
    return { device, file };
  }

  /** Starts a process (in a namespace, a cgroup); it is killed with its group on close(). */
  start(command: string, args: string[], options: ProcOptions = {}): SandboxProc {
    // Refuse before spawning: a process started after close() began would outlive the run.
    if (this.closing) throw new Error(`sandbox ${this.tag} is closed; cannot start ${command}`);
    let [cmd, argv] = [command, args];
    if (options.tmpfs?.length) {
      if (!options.netns) throw new Error(`sandbox: tmpfs folders for ${command} need a netns`);
      [cmd, argv] = withTmpfs(options.tmpfs, cmd, argv);
    }
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
    const held = this.hold(
      `process ${proc.pid} (${command})`,
      () => stopProc(proc),
      () => proc.kill('SIGKILL'),
    );
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

  /** What is still held, removed synchronously: process.exit came before close() finished. */
  private closeSync(): void {
    killMarked(this.tag);
    for (const h of this.held.reverse()) {
      try {
        h.removeSync();
      } catch {
        // best effort: the next run's sweep takes what is left
      }
    }
    this.held.length = 0;
    if (mountsUnder(this.dir).length === 0) rmSync(this.dir, { recursive: true, force: true });
  }

  private async closeOnce(): Promise<void> {
    const problems: string[] = [];
    // A process that left its group (a daemon) is found by its mark, before anything it uses goes.
    killMarked(this.tag);
    while (this.held.length) {
      // Removed from the list only once done: an exit meanwhile finds it still to do.
      const h = this.held.at(-1) as Held;
      try {
        await h.remove();
      } catch (err) {
        problems.push(`${h.what}: ${err instanceof Error ? err.message : String(err)}`);
      }
      // (A process record may have removed itself meanwhile, when the process ended.)
      const i = this.held.lastIndexOf(h);
      if (i >= 0) this.held.splice(i, 1);
    }
    try {
      if (mountsUnder(this.dir).length === 0) removeFolder(this.dir);
      else problems.push(`${mountsUnder(this.dir)[0]} is still mounted`);
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
    this.release();
    if (problems.length) throw new Error(`sandbox ${this.tag} cleanup: ${problems.join('; ')}`);
  }
}

/** Opens a sandbox owned by this run (`runName(topic)` from kit/names.ts). Root only. */
export function openSandbox(runName: string): Sandbox {
  const sandbox = new Sandbox(sandboxTag(runName));
  startReaper();
  return sandbox;
}

let reaper: ChildProcess | undefined;

/** Once per process: the reaper that sweeps this process's objects if it dies without cleaning. */
function startReaper(): void {
  if (reaper) return;
  const script = fileURLToPath(new URL('./sandbox-reaper.ts', import.meta.url));
  reaper = spawn(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), script, String(process.pid)],
    {
      detached: true, // its own group: the Ctrl-C that reaches the owner does not reach it
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  reaper.on('error', () => {});
  // Neither the child nor our end of its pipe keeps this process alive.
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}

/** Removes what dead runs' sandboxes left: processes, mounts, loops, cgroups, veths, namespaces. */
export async function sweepSandboxes(): Promise<string[]> {
  const killed = sweepProcesses().map((pid) => `process ${pid}`);
  const cgroups = await sweepCgroups();
  const networks = await sweepNetworks();
  const folders = await sweepFolders();
  return [...killed, ...cgroups, ...networks, ...folders];
}
