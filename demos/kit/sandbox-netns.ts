// Network namespaces and veth pairs with iproute2. `ip netns add` keeps a namespace alive by a
// bind mount in /run/netns, so a killed run leaks it until someone deletes it: the sweep does.
// Interfaces, addresses, routes and nft tables made inside a namespace die with it; the host's own
// interfaces, routes and firewall are never touched (a veth end left in the host is deleted).

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inNetns, mustRun, runCommand } from './sandbox-exec.ts';
import { mtimeMs, ownerGone, tagOf } from './sandbox-names.ts';

const NETNS_DIR = '/run/netns';
/** ip-netns(8): `ip netns exec NAME` bind-mounts each file of /etc/netns/NAME/ over /etc/. */
const ETC_NETNS = '/etc/netns';

export async function addNetns(name: string): Promise<void> {
  await mustRun('ip', ['netns', 'add', name]);
}

/** Kills what still runs in the namespace, then deletes it (and every interface inside). */
export async function deleteNetns(name: string): Promise<void> {
  const pids = await runCommand('ip', ['netns', 'pids', name]);
  for (const pid of pids.stdout.split('\n').filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  const r = await runCommand('ip', ['netns', 'delete', name]);
  if (r.code !== 0 && !/No such file|does not exist/.test(r.stderr))
    throw new Error(`ip netns delete ${name}: ${r.stderr.trim()}`);
  rmSync(join(ETC_NETNS, name), { recursive: true, force: true });
}

/**
 * A file that commands run in the namespace with `ip netns exec` see as /etc/<file> (resolv.conf,
 * hosts, nsswitch.conf); the host's own /etc/<file> is untouched. The file must exist in /etc for
 * the bind mount to have a target. Removed with the namespace.
 */
export function writeNetnsEtc(name: string, file: string, text: string): void {
  if (basename(file) !== file) throw new Error(`sandbox: ${file} is not a file name in /etc`);
  mkdirSync(join(ETC_NETNS, name), { recursive: true });
  writeFileSync(join(ETC_NETNS, name, file), text);
}

/** One end of a veth pair: its name, and the namespace it lives in (undefined: the host's). */
export interface VethEnd {
  name: string;
  netns?: string;
}

/** Both ends are created directly where they belong, so the host never sees a namespaced end. */
export async function addVeth(a: VethEnd, b: VethEnd): Promise<void> {
  const where = (end: VethEnd) => (end.netns ? ['netns', end.netns] : []);
  await mustRun('ip', [
    'link',
    'add',
    a.name,
    ...where(a),
    'type',
    'veth',
    'peer',
    'name',
    b.name,
    ...where(b),
  ]);
}

/** Deletes a veth (its peer goes with it); an end already gone with its namespace is fine. */
export async function deleteVeth(end: VethEnd): Promise<void> {
  const ns = end.netns ? ['-n', end.netns] : [];
  const r = await runCommand('ip', [...ns, 'link', 'delete', end.name]);
  if (r.code !== 0 && !/Cannot find device|No such file|does not exist/.test(r.stderr))
    throw new Error(`ip link delete ${end.name}: ${r.stderr.trim()}`);
}

/** `ip -n <ns> <args…>`, which must succeed: addresses, routes, links up, all inside `ns`. */
export function ipIn(netns: string, args: string[]): Promise<string> {
  return mustRun('ip', ['-n', netns, ...args]);
}

/** Loads an nft ruleset (`nft -f -`) inside the namespace. */
export function nftIn(netns: string, ruleset: string): Promise<string> {
  const [cmd, args] = inNetns(netns, 'nft', ['-f', '-']);
  return mustRun(cmd, args, { input: ruleset });
}

/** Deletes the network namespaces and host-side veths of dead sandboxes; returns their names. */
export async function sweepNetworks(): Promise<string[]> {
  const removed: string[] = [];
  const links = await runCommand('ip', ['-o', 'link', 'show']);
  for (const m of links.stdout.matchAll(/^\d+: ([^:@\s]+)/gm)) {
    const name = m[1] as string;
    if (!tagOf(name) || !ownerGone(name)) continue;
    await deleteVeth({ name });
    removed.push(name);
  }
  // No namespace was ever added on this boot when /run/netns is missing.
  const namespaces = list(NETNS_DIR);
  for (const name of namespaces) {
    if (!tagOf(name) || !ownerGone(name, mtimeMs(join(NETNS_DIR, name)))) continue;
    await deleteNetns(name);
    removed.push(`netns ${name}`);
  }
  // A run killed between writing a namespace's /etc files and adding the namespace.
  for (const name of list(ETC_NETNS)) {
    if (!tagOf(name) || !ownerGone(name, mtimeMs(join(ETC_NETNS, name)))) continue;
    rmSync(join(ETC_NETNS, name), { recursive: true, force: true });
    removed.push(`${ETC_NETNS}/${name}`);
  }
  return removed;
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
