// One HAProxy per configuration a step writes: Debian's binary in the foreground (-db), its own
// directory, a free 127.0.0.1 port, and an admin stats socket to read each server's state and
// counters (`show stat`) and to change them (`disable server`).

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../kit/net.ts';
import { findBinary } from '../kit/probes.ts';
import type { Instance, RunDir } from './instances.ts';
import { poll } from './poll.ts';

/** The one backend every configuration here names. */
const BACKEND = 'app';

export interface HaproxyConfig {
  /** The lines of `backend app`: balance, cookie, option httpchk, server lines. */
  backend: string[];
}

/** One server's row of `show stat`, the fields the steps read. */
export interface ServerStat {
  /** UP, DOWN, MAINT, or a transition such as "UP 1/2". */
  status: string;
  /** Sessions (requests in HTTP mode with a new connection each) sent to it in total. */
  stot: number;
  /** The last health check's result: L7OK, L7STS, L4CON…; empty without checks. */
  checkStatus: string;
}

/** One server's line of `show servers state`: operational and administrative state. */
interface ServerState {
  /** srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping. */
  opState: number;
  /** srv_admin_state: a bit field; 1 = forced maintenance (`disable server`). */
  adminState: number;
}

export interface Haproxy extends Instance {
  url: string;
  /** Sends one command to the admin socket and returns the answer. */
  command(line: string): Promise<string>;
  /** `show stat` for the backend's servers, by server name. */
  servers(): Promise<Map<string, ServerStat>>;
  /** `show servers state` for the backend, by server name. */
  serverStates(): Promise<Map<string, ServerState>>;
  /** Polls `show stat` until `condition` holds, within a bound (the checks run every 100 ms). */
  untilServers(
    condition: (s: Map<string, ServerStat>) => boolean,
    what: string,
  ): Promise<Map<string, ServerStat>>;
}

/** One `server <id> <address> <params>` line per backend (params may depend on the backend). */
export function serverLines(
  bs: { id: string; address: string }[],
  params: (b: { id: string }, i: number) => string = () => '',
): string[] {
  return bs.map((b, i) => `server ${b.id} ${b.address} ${params(b, i)}`.trimEnd());
}

export function haproxyBinary(): string {
  const file = findBinary('haproxy');
  if (!file) throw new Error('haproxy is not installed (apt-get install haproxy)');
  return file;
}

/** `haproxy -v` prints "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/". */
export function haproxyVersion(binary: string): string {
  const out = execFileSync(binary, ['-v'], { encoding: 'utf8' });
  const m = /HAProxy version (\S+)/.exec(out);
  if (!m) throw new Error(`haproxy -v printed no version: ${out.trim()}`);
  return m[1] as string;
}

function configText(dir: string, port: number, c: HaproxyConfig): string {
  return [
    'global',
    `  stats socket ${dir}/haproxy.sock mode 600 level admin`,
    'defaults',
    '  mode http',
    // HAProxy 2.6 warns without these; generous, so only the steps' own failures show.
    '  timeout connect 2s',
    '  timeout client 10s',
    '  timeout server 10s',
    // A health check's answer may take a while on a loaded machine: without this, HAProxy gives
    // it `inter` (100 ms in the steps) and a slow answer marks a healthy server DOWN.
    '  timeout check 2s',
    'frontend web',
    `  bind 127.0.0.1:${port}`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    ...c.backend.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

export async function startHaproxy(run: RunDir, name: string, c: HaproxyConfig): Promise<Haproxy> {
  const binary = haproxyBinary();
  for (let attempt = 1; ; attempt++) {
    const dir = run.instanceDir(name);
    const port = await freePort();
    const cfg = join(dir, 'haproxy.cfg');
    writeFileSync(cfg, configText(dir, port, c));
    try {
      const instance = await run.start('haproxy', dir, binary, ['-db', '-f', cfg], port);
      const command = (line: string) => socketCommand(join(dir, 'haproxy.sock'), line);
      const servers = async () => parseStat(await command('show stat'));
      // The frontend may accept before the stats socket exists: wait for both.
      await poll(() => command('show info').catch(() => undefined), 'HAProxy stats socket').catch(
        async (err: unknown) => {
          await instance.stop();
          throw err;
        },
      );
      return {
        ...instance,
        url: `http://127.0.0.1:${port}`,
        command,
        servers,
        serverStates: async () => parseStates(await command(`show servers state ${BACKEND}`)),
        untilServers: (condition, what) =>
          poll(async () => {
            const s = await servers();
            return condition(s) ? s : undefined;
          }, `HAProxy: ${what}`),
      };
    } catch (err) {
      if (attempt < 3 && /cannot bind socket|Address already in use/.test((err as Error).message))
        continue;
      throw err;
    }
  }
}

/** One command per connection, as `socat` sends it: the answer ends when HAProxy closes. */
function socketCommand(path: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      answer += d;
    });
    socket.once('error', reject);
    socket.once('end', () => resolve(answer));
    socket.end(`${line}\n`);
  });
}

/** `show stat` is CSV headed by "# pxname,svname,…"; the servers' rows are read by field name. */
function parseStat(csv: string): Map<string, ServerStat> {
  const [head, ...rows] = csv.trim().split('\n');
  const fields = (head ?? '').replace(/^# /, '').split(',');
  const at = (row: string[], name: string) => row[fields.indexOf(name)] ?? '';
  const servers = new Map<string, ServerStat>();
  for (const row of rows.map((r) => r.split(','))) {
    const sv = at(row, 'svname');
    if (at(row, 'pxname') !== BACKEND || sv === 'BACKEND') continue;
    servers.set(sv, {
      status: at(row, 'status'),
      stot: Number(at(row, 'stot')),
      checkStatus: at(row, 'check_status'),
    });
  }
  return servers;
}

/** `show servers state` is a version line, "# be_id be_name srv_id srv_name …", then rows. */
function parseStates(text: string): Map<string, ServerState> {
  const lines = text.trim().split('\n');
  const fields = (lines.find((l) => l.startsWith('# ')) ?? '').slice(2).split(' ');
  const states = new Map<string, ServerState>();
  // The first line is the format version ("1"): a row has one value per field.
  for (const row of lines.map((l) => l.split(' ')).filter((r) => r.length === fields.length)) {
    const at = (name: string) => row[fields.indexOf(name)] ?? '';
    if (at('be_name') !== BACKEND) continue;
    states.set(at('srv_name'), {
      opState: Number(at('srv_op_state')),
      adminState: Number(at('srv_admin_state')),
    });
  }
  return states;
}
