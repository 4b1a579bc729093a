// What the steps share: one network namespace whose only interface is `lo` (so no packet can
// leave it), its firewall (the ports the socket-error steps connect to), its /etc/resolv.conf,
// /etc/hosts and /etc/nsswitch.conf, and the DNS servers inside it. Node's own sockets and
// getaddrinfo run in a child (probe.mjs) started inside the namespace with this process's Node.

import { join } from 'node:path';
import type { SetupInfo, StepContext } from '../kit/define.ts';
import { runName } from '../kit/names.ts';
import { demoDir } from '../kit/paths.ts';
import { openSandbox, sweepSandboxes } from '../kit/sandbox.ts';
import { type Netns, runIn } from './netns.ts';
import { type Dns, markQueries, startDns } from './servers.ts';
import { ANSWERS, SEARCH, zoneFiles } from './zones.ts';

/** The ports of the socket-error steps and what the namespace's firewall does to each. */
export const PORTS = {
  closed: 7001,
  drop: 7002,
  reset: 7003,
  reject: 7004,
  prohibited: 7005,
} as const;

const RULESET = `
table inet wn_dns {
  counter dropped_syns { }
  counter left_lo { }
  chain input {
    type filter hook input priority 0;
    tcp dport ${PORTS.drop} tcp flags syn counter name dropped_syns drop;
    tcp dport ${PORTS.reset} reject with tcp reset;
    tcp dport ${PORTS.reject} reject;
    tcp dport ${PORTS.prohibited} reject with icmpx type admin-prohibited;
  }
  chain output {
    type filter hook output priority 0;
    oifname != "lo" counter name left_lo drop;
  }
}
`;

/** resolv.conf as a Kubernetes pod in namespace ns1 gets it (ClusterFirst), resolver = unbound. */
export const POD_RESOLV_CONF = `nameserver 127.0.0.1\nsearch ${SEARCH.join(' ')}\noptions ndots:5\n`;

export interface Env {
  ns: Netns;
  dns: Dns;
  /** What openEnv removed of dead runs, said by the first step. */
  swept: string[];
}

/** A file of the namespace's own /etc (resolv.conf, hosts, nsswitch.conf). */
export function etc(env: Env, file: string, text: string): void {
  env.ns.sandbox.etc(env.ns.name, file, text);
}

/** The namespace, its firewall and files, and knot (with `zones`: the demo's own by default) and unbound. */
export async function openEnv(info: SetupInfo, zones = zoneFiles()): Promise<Env> {
  const swept = await sweepSandboxes();
  const sandbox = openSandbox(runName('dns'));
  try {
    const ns: Netns = { sandbox, name: await sandbox.netns() };
    await sandbox.ip(ns.name, ['link', 'set', 'lo', 'up']);
    await sandbox.nft(ns.name, RULESET);
    sandbox.etc(ns.name, 'resolv.conf', POD_RESOLV_CONF);
    // Only files and DNS: the host's nsswitch.conf may add mdns or myhostname.
    sandbox.etc(ns.name, 'nsswitch.conf', 'hosts: files dns\n');
    sandbox.etc(ns.name, 'hosts', `127.0.0.1 localhost\n${ANSWERS.db.hosts} ${ANSWERS.db.name}\n`);
    const dns = await startDns(ns, sandbox.path('dns'), zones);
    info.uses('knot', dns.versions.knot);
    info.uses('unbound', dns.versions.unbound);
    return { ns, dns, swept };
  } catch (err) {
    await sandbox.close();
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  await env.ns.sandbox.close();
}

/** The env of one lab check, with the zones given (the demo's by default), closed when it ends. */
export async function labEnv(t: StepContext, zones = zoneFiles()): Promise<Env> {
  const env = await openEnv({ available: new Set(), uses: (part, v) => t.uses(part, v) }, zones);
  t.defer(() => closeEnv(env));
  return env;
}

/** One operation of probe.mjs and what it reported. */
export interface ProbeResult {
  ok: boolean;
  code?: string;
  syscall?: string;
  message?: string;
  ms: number;
  addresses?: string[];
  ttls?: number[];
  writes?: number;
  host?: string;
}

/** Runs probe.mjs inside the namespace with this process's Node; one result per operation. */
export async function probe(env: Env, ops: object[]): Promise<ProbeResult[]> {
  const script = join(demoDir('dns'), 'probe.mjs');
  const r = await runIn(env.ns, process.execPath, [script, JSON.stringify(ops)]);
  if (r.code !== 0) throw new Error(`probe.mjs failed: ${r.stderr.trim().split('\n')[0]}`);
  return JSON.parse(r.stdout) as ProbeResult[];
}

/** Runs `ops` in the namespace; their results, and the questions (and answers) unbound logged meanwhile. */
export async function counted(env: Env, ops: object[]) {
  const log = markQueries(env.dns);
  const results = await probe(env, ops);
  return { results, questions: log.since(), rcodes: log.rcodes() };
}

/** Reads a counter of the namespace's nft table. */
export async function nftCounter(env: Env, name: string): Promise<number> {
  const r = await runIn(env.ns, 'nft', ['list', 'counter', 'inet', 'wn_dns', name]);
  return Number(/packets (\d+)/.exec(r.stdout)?.[1] ?? Number.NaN);
}

/** Sets a sysctl inside the namespace (net.ipv4.* are per namespace). */
export async function sysctl(env: Env, key: string, value?: number): Promise<number> {
  if (value !== undefined) await runIn(env.ns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
  const r = await runIn(env.ns, 'sysctl', ['-n', key]);
  return Number(r.stdout.trim());
}
