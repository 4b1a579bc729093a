// The demo's own DNS, inside its namespace (whose only interface is `lo`, so no query can leave):
// knot answers authoritatively for the zones in zones.ts on 127.0.0.1:5300, and unbound, the
// caching resolver the namespace's resolv.conf names, forwards everything to it on 127.0.0.1:53.
// Counting is done where each server keeps it: knot's mod-stats (queries that reached the
// authority) and unbound's query log (what the client asked, one line per question).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../kit/wait.ts';
import { type Netns, runIn, startIn } from './netns.ts';
import { zoneFiles } from './zones.ts';

const KNOT_PORT = 5300;

export interface Dns {
  knotConf: string;
  unboundConf: string;
  unboundLog: string;
  versions: { knot: string; unbound: string };
}

function knotConf(dir: string, names: string[]): string {
  const zones = names.map((z) =>
    z === '.'
      ? // The default template names a file after the zone; the root's name would be "." itself.
        `  - domain: .\n    file: ${dir}/zones/root.zone`
      : `  - domain: ${z}`,
  );
  return [
    'server:',
    `  listen: 127.0.0.1@${KNOT_PORT}`,
    `  rundir: ${dir}/run`,
    '  user: root:root',
    'log:',
    `  - target: ${dir}/knot.log`,
    '    any: info',
    'database:',
    `  storage: ${dir}/db`,
    'mod-stats:',
    '  - id: counts',
    '    server-operation: on',
    '    response-code: on',
    'template:',
    '  - id: default',
    `    storage: ${dir}/zones`,
    '    global-module: mod-stats/counts',
    'zone:',
    ...zones,
    '',
  ].join('\n');
}

function unboundConf(dir: string): string {
  return [
    'server:',
    '  interface: 127.0.0.1',
    '  port: 53',
    '  do-daemonize: no',
    '  username: ""',
    '  chroot: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${dir}/unbound.pid"`,
    `  logfile: "${dir}/unbound.log"`,
    '  log-queries: yes',
    '  log-replies: yes',
    '  do-ip6: no',
    '  access-control: 127.0.0.0/8 allow',
    // No DNSSEC validation: the made-up root has no keys.
    '  module-config: "iterator"',
    // unbound.conf(5): by default it refuses to send queries to localhost, where knot is.
    '  do-not-query-localhost: no',
    // A knot slow to answer on a loaded machine must not be marked down for the rest of the run
    // (unbound then answers SERVFAIL without asking it): wait longer for the first answer (the
    // default is 376 ms) and keep probing a server it thinks is down.
    '  unknown-server-time-limit: 5000',
    '  infra-keep-probing: yes',
    'remote-control:',
    '  control-enable: yes',
    `  control-interface: "${dir}/unbound.ctl"`,
    // Everything goes to knot: no root priming, no query to any server outside the namespace.
    'forward-zone:',
    '  name: "."',
    `  forward-addr: 127.0.0.1@${KNOT_PORT}`,
    '',
  ].join('\n');
}

/**
 * Writes the configuration under `dir`, starts knot with `zones` (zone name → zone file text; the
 * demo's own by default) and unbound in the namespace, and waits until both answer.
 */
export async function startDns(ns: Netns, dir: string, zones = zoneFiles()): Promise<Dns> {
  for (const sub of ['zones', 'run', 'db']) mkdirSync(join(dir, sub), { recursive: true });
  for (const [zone, text] of Object.entries(zones)) {
    writeFileSync(join(dir, 'zones', zone === '.' ? 'root.zone' : `${zone}.zone`), `${text}\n`);
  }
  const dns: Dns = {
    knotConf: join(dir, 'knot.conf'),
    unboundConf: join(dir, 'unbound.conf'),
    unboundLog: join(dir, 'unbound.log'),
    versions: { knot: '', unbound: '' },
  };
  writeFileSync(dns.knotConf, knotConf(dir, Object.keys(zones)));
  writeFileSync(dns.unboundConf, unboundConf(dir));
  // knot first, unbound once knot serves: at start knotd resolves the host's name (its default
  // identity) through the namespace's resolv.conf, i.e. unbound. An unbound already up forwards
  // that question to a knot not yet answering and holds it, and knotd sat in glibc's 5 s
  // timeouts for each search domain (seen here, one start in ten on a busy machine); with
  // nothing on port 53 yet, the question is refused at once.
  const knotd = startIn(ns, 'knotd', ['-c', dns.knotConf]);
  const count = Object.keys(zones).length;
  const knotLog = join(dir, 'knot.log');
  const lastWords = () =>
    (existsSync(knotLog) ? readFileSync(knotLog, 'utf8') : '').trim().split('\n').slice(-2);
  let said = '(nothing yet)';
  const refused = await waitFor(
    `knot to load its ${count} zones`,
    async () => {
      // A zone file knot cannot parse is never loaded: say why at once, in knot's words.
      const log = existsSync(knotLog) ? readFileSync(knotLog, 'utf8') : '';
      const error = /error: \[(\S+)\] (.*)$/m.exec(log);
      if (error)
        return `knot refused the zone ${error[1]}: ${error[2]?.replace(/file '[^']*', /, '')}`;
      // A zone is loaded once it has a serial (`serial: -` until then, or if it failed).
      const r = await runIn(ns, 'knotc', ['-c', dns.knotConf, 'zone-status']);
      said = `${r.code ?? r.signal} ${r.stdout.trim()} ${r.stderr.trim()}`.replace(/\s+/g, ' ');
      return (r.stdout.match(/serial: \d+/g) ?? []).length === count ? '' : undefined;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  ).catch((err: Error) => {
    throw new Error(
      `${err.message}; knotd ${knotd.running() ? 'still runs' : `ended: ${knotd.stderr().trim().slice(-200)}`}; knotc zone-status said: ${said}; knot.log ends: ${lastWords().join(' | ')}`,
    );
  });
  if (refused) throw new Error(refused);
  startIn(ns, 'unbound', ['-c', dns.unboundConf]);
  await waitFor(
    'unbound to answer on its control socket',
    async () => ((await unboundControl(ns, dns, ['status'])).code === 0 ? true : undefined),
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  dns.versions.knot = /(\d+\.\d+\.\d+)/.exec((await runIn(ns, 'knotd', ['-V'])).stdout)?.[1] ?? '?';
  const status = (await unboundControl(ns, dns, ['status'])).stdout;
  dns.versions.unbound = /version: (\S+)/.exec(status)?.[1] ?? '?';
  return dns;
}

function unboundControl(ns: Netns, dns: Dns, args: string[]) {
  return runIn(ns, 'unbound-control', ['-c', dns.unboundConf, ...args]);
}

/** Empties unbound's cache (answers and "no such name"s), so the next count starts cold. */
export async function flushCache(ns: Netns, dns: Dns): Promise<void> {
  // flush_infra: what unbound learnt of knot's round trips, so a slow moment earlier counts for nothing.
  for (const args of [['flush_zone', '.'], ['flush_negative'], ['flush_infra', 'all']]) {
    const r = await unboundControl(ns, dns, args);
    if (r.code !== 0) throw new Error(`unbound-control ${args.join(' ')}: ${r.stderr.trim()}`);
  }
}

/** What has reached knot since it started (mod-stats): queries, and NXDOMAIN answers among them. */
export async function authorityCounts(
  ns: Netns,
  dns: Dns,
): Promise<{ queries: number; nxdomain: number }> {
  const stats = async (section: string) =>
    (await runIn(ns, 'knotc', ['-c', dns.knotConf, 'stats', `mod-stats.${section}`])).stdout;
  return {
    queries: Number(/\[query\] = (\d+)/.exec(await stats('server-operation'))?.[1] ?? 0),
    nxdomain: Number(/\[NXDOMAIN\] = (\d+)/.exec(await stats('response-code'))?.[1] ?? 0),
  };
}

/** What a client asked unbound and what it answered, from its query log. */
export interface QueryLog {
  /** The questions logged since the mark: "name. TYPE". */
  since(): string[];
  /** The answers' response codes logged since the mark (NOERROR, NXDOMAIN, SERVFAIL…). */
  rcodes(): string[];
}

/** Marks the end of unbound's query log now; the QueryLog reads what is logged after it. */
export function markQueries(dns: Dns): QueryLog {
  const start = readFileSync(dns.unboundLog).length;
  const lines = () => readFileSync(dns.unboundLog).subarray(start).toString('utf8').split('\n');
  return {
    // A question: "info: 127.0.0.1 name. A IN"; its reply line adds the rcode, time and size.
    since: () =>
      lines().flatMap((line) => {
        const m = /info: 127\.0\.0\.1 (\S+) (\S+) IN$/.exec(line);
        return m ? [`${m[1]} ${m[2]}`] : [];
      }),
    rcodes: () =>
      lines().flatMap((line) => /info: 127\.0\.0\.1 \S+ \S+ IN ([A-Z]+) /.exec(line)?.[1] ?? []),
  };
}

/** RFC 1035 §4.1.1 / RFC 2136 rcodes of the answers a resolver caches. */
const RCODES: Record<number, string> = { 0: 'NOERROR', 2: 'SERVFAIL', 3: 'NXDOMAIN' };

/**
 * The answer unbound holds in its cache for `name` and `type`, with the seconds it has left
 * (`unbound-control dump_cache`: "msg <name>. IN <type> <flags> <qdcount> <ttl> …", the rcode
 * in the flags' low 4 bits); undefined when it holds none.
 */
export async function cachedAnswer(ns: Netns, dns: Dns, name: string, type: string) {
  const dump = (await unboundControl(ns, dns, ['dump_cache'])).stdout;
  const line = dump
    .split('\n')
    .find((l) => l.startsWith(`msg ${name.replace(/\.?$/, '.')} IN ${type} `));
  if (!line) return undefined;
  const [flags = 0, , ttl = Number.NaN] = line.split(' ').slice(4).map(Number);
  return { rcode: RCODES[flags & 0xf] ?? String(flags & 0xf), ttl };
}
