// What the steps share: one network namespace whose only interface is `lo` (so no packet can
// leave it), its firewall (the ports the socket-error steps connect to), its /etc/resolv.conf,
// /etc/hosts and /etc/nsswitch.conf, and the DNS servers inside it. Node's own sockets and
// getaddrinfo run in a child (probe.mjs) started inside the namespace with this process's Node.

import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SetupInfo } from '../kit/define.ts';
import { isStale, runName } from '../kit/names.ts';
import { CHECKOUT_CACHE, demoDir } from '../kit/paths.ts';
import { type Lab, openLab } from './lab.ts';
import { type Dns, startDns } from './servers.ts';
import { ANSWERS, SEARCH } from './zones.ts';

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
  run: string;
  dir: string;
  lab: Lab;
  dns: Dns;
  /** What openEnv removed of dead runs, said by the first step. */
  swept: number;
}

const ROOT = join(CHECKOUT_CACHE, 'dns');

export async function openEnv(info: SetupInfo): Promise<Env> {
  mkdirSync(ROOT, { recursive: true });
  const stale = readdirSync(ROOT).filter((n) => isStale(n, 'dns'));
  for (const n of stale) rmSync(join(ROOT, n), { recursive: true, force: true });
  const run = runName('dns');
  const dir = join(ROOT, run);
  mkdirSync(dir, { recursive: true });
  const lab = await openLab(`wn-dns-${process.pid}`);
  try {
    await lab.run('nft', ['-f', '-'], RULESET);
    lab.etc('resolv.conf', POD_RESOLV_CONF);
    // Only files and DNS: the host's nsswitch.conf may add mdns or myhostname.
    lab.etc('nsswitch.conf', 'hosts: files dns\n');
    lab.etc('hosts', `127.0.0.1 localhost\n${ANSWERS.db.hosts} ${ANSWERS.db.name}\n`);
    const dns = await startDns(lab, dir);
    info.uses('knot', dns.versions.knot);
    info.uses('unbound', dns.versions.unbound);
    return { run, dir, lab, dns, swept: stale.length };
  } catch (err) {
    await lab.close();
    throw err;
  }
}

export async function closeEnv(env: Env): Promise<void> {
  await env.lab.close();
  rmSync(env.dir, { recursive: true, force: true });
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
  const r = await env.lab.run(process.execPath, [script, JSON.stringify(ops)]);
  if (r.code !== 0) throw new Error(`probe.mjs failed: ${r.stderr.trim().split('\n')[0]}`);
  return JSON.parse(r.stdout) as ProbeResult[];
}

/** Reads a counter of the namespace's nft table. */
export async function nftCounter(env: Env, name: string): Promise<number> {
  const r = await env.lab.run('nft', ['list', 'counter', 'inet', 'wn_dns', name]);
  return Number(/packets (\d+)/.exec(r.stdout)?.[1] ?? Number.NaN);
}

/** Sets a sysctl inside the namespace (net.ipv4.* are per namespace). */
export async function sysctl(env: Env, key: string, value?: number): Promise<number> {
  if (value !== undefined) await env.lab.run('sysctl', ['-q', '-w', `${key}=${value}`]);
  const r = await env.lab.run('sysctl', ['-n', key]);
  return Number(r.stdout.trim());
}
