// Namespaces one at a time: how many types the running kernel has, each made new by `unshare`,
// and what a process inside sees (its own PIDs, hostname, boot time); then network namespaces,
// joined by a veth pair, and nothing else.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { hostname, networkInterfaces, release } from 'node:os';
import { join } from 'node:path';
import { step } from '../kit/define.ts';
import { demoDir } from '../kit/paths.ts';
import type { Sandbox } from '../kit/sandbox.ts';
import { expectedFor } from '../kit/versions.ts';
import { type Env, sandboxFor } from './env.ts';
import { NAMESPACE_TYPES } from './namespace-types.ts';
import { interfaceStates, processesSeen } from './seen-inside.ts';
import { namespaceCount } from './versions.ts';

function hostNamespaces(): string[] {
  return readdirSync('/proc/self/ns')
    .filter((n) => !n.endsWith('_for_children'))
    .sort();
}

export const typesStep = step<Env>(
  {
    id: 'ns-types',
    section: 'eight-namespace-types',
    title:
      'Eight namespace types; inside new ones a process is PID 1, with its own hostname and clock',
    needs: ['namespaces'],
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    if (env.swept.length) t.say(`swept ${env.swept.length} objects a dead run left behind`);
    const kinds = hostNamespaces();
    const kernel = release().split('-')[0] as string;
    const fact = expectedFor(namespaceCount, kernel);
    t.equal(
      `on Linux ${kernel} /proc/self/ns lists ${fact.value.split(':')[0]} types`,
      `${kinds.length}: ${kinds.join(' ')}`,
      fact.value,
    );
    const rows: string[][] = [];
    const fresh: string[] = [];
    for (const ns of NAMESPACE_TYPES.filter((n) => kinds.includes(n.proc))) {
      const host = readlinkSync(`/proc/self/ns/${ns.proc}`);
      const r = await sb.run('unshare', [
        ns.flag,
        '--fork',
        'readlink',
        `/proc/self/ns/${ns.proc}`,
      ]);
      const inside = r.stdout.trim();
      if (inside && inside !== host) fresh.push(ns.proc);
      rows.push([ns.proc, ns.flag, ns.since, host, inside || r.stderr.trim()]);
    }
    t.table(['type', 'unshare flag', 'since Linux', 'host', 'new one'], rows);
    t.equal(
      "each type made new by unshare has an inode other than the host's",
      fresh.sort(),
      kinds,
    );

    const { rows: seen, ran: ps } = await processesSeen(sb, [
      'unshare',
      '--pid',
      '--fork',
      '--mount-proc',
    ]);
    t.block(ps.stdout.trimEnd().split('\n'));
    const hostCount = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).length;
    t.equal(
      'in a new PID and mount namespace the shell is PID 1 and ps lists only its 3 processes',
      seen.map((c) => c[1]),
      ['sh', 'sleep', 'ps'],
    );
    t.check(`PID 1 there is the shell (the host has ${hostCount} processes)`, seen[0]?.[0] === '1');

    const before = hostname();
    const uts = await sb.run('unshare', ['--uts', 'sh', '-c', 'hostname wn-box; hostname']);
    t.equal(
      "in a new UTS namespace `hostname wn-box` changes its hostname, not the host's",
      [uts.stdout.trim(), hostname()],
      ['wn-box', before],
    );

    const day = 86_400;
    const time = await sb.run('unshare', [
      '--time',
      '--fork',
      `--boottime=${day}`,
      'sh',
      '-c',
      'cat /proc/uptime; date +%s',
    ]);
    const hostUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const [uptimeLine = '', dateLine = ''] = time.stdout.trim().split('\n');
    const shifted = Number(uptimeLine.split(' ')[0]) - hostUptime;
    const wall = Number(dateLine) - Date.now() / 1000;
    t.show('uptime inside − host uptime (s)', shifted.toFixed(1));
    t.check(
      'a time namespace with --boottime=86400 shows an uptime one day longer',
      shifted > day - 600 && shifted <= day + 1,
      `${shifted}`,
    );
    t.check(
      "the wall clock is not virtualized: `date` inside is the host's (not a day off)",
      Math.abs(wall) < 600,
      `${wall}`,
    );
  },
);

/** The answer of tcp.mjs `connect` run inside a namespace (or on the host). */
async function connectFrom(sb: Sandbox, netns: string | undefined, host: string, port: number) {
  const client = join(demoDir('containers'), 'tcp.mjs');
  const r = await sb.run(process.execPath, [client, 'connect', host, String(port)], { netns });
  return r.stdout.trim();
}

function hostAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

export const netnsStep = step<Env>(
  {
    id: 'netns',
    section: 'a-network-namespace',
    title: 'A network namespace has only lo, DOWN; a veth pair joins two, and nothing else',
    needs: ['network-namespaces'],
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    const a = await sb.netns();
    const links = (await sb.ip(a, ['-o', 'link', 'show'])).trim().split('\n');
    t.block(links.map((l) => l.replace(/\\.*/, '')));
    t.equal(
      'a new network namespace has one interface, lo, and it is DOWN',
      interfaceStates(links.join('\n')),
      ['lo DOWN'],
    );
    const ping = await sb.run('ping', ['-c1', '-W1', '127.0.0.1'], { netns: a });
    t.equal(
      'ping 127.0.0.1 there fails at once: exit 2, Network is unreachable',
      [ping.code, /Network is unreachable/.test(ping.stderr)],
      [2, true],
    );

    const b = await sb.netns();
    const [va, vb] = await sb.veth(a, b, ['eth0', 'eth0']);
    await sb.ip(a, ['addr', 'add', '198.18.0.1/30', 'dev', va]);
    await sb.ip(b, ['addr', 'add', '198.18.0.2/30', 'dev', vb]);
    for (const [ns, dev] of [
      [a, va],
      [b, vb],
      [b, 'lo'],
    ] as const)
      await sb.ip(ns, ['link', 'set', dev, 'up']);
    const pinged = await sb.run('ping', ['-c3', '-i0.2', '-W5', '198.18.0.2'], { netns: a });
    t.show(
      'ping 198.18.0.2 from the first namespace',
      /\d+ packets transmitted.*/.exec(pinged.stdout)?.[0] ?? pinged.stderr,
    );
    t.match(
      'joined by a veth pair, the two namespaces ping each other: 3 sent, 3 received',
      pinged.stdout,
      /3 packets transmitted, 3 received, 0% packet loss/,
    );

    const server = sb.start(process.execPath, [join(demoDir('containers'), 'tcp.mjs'), 'serve'], {
      netns: b,
    });
    const port = Number((await server.waitFor(/listening (\d+)/))[1]);
    const c = await sb.netns();
    await sb.ip(c, ['link', 'set', 'lo', 'up']);
    const fromA = await connectFrom(sb, a, '198.18.0.2', port);
    const fromC = await connectFrom(sb, c, '198.18.0.2', port);
    const fromHost = await connectFrom(sb, undefined, '127.0.0.1', port);
    const own = hostAddress();
    const toHost = own ? await connectFrom(sb, a, own, 22) : 'error ENETUNREACH';
    t.table(
      ['from', 'to', 'answer'],
      [
        ['namespace 1 (veth)', `198.18.0.2:${port}`, fromA],
        ['namespace 3 (lo only)', `198.18.0.2:${port}`, fromC],
        ['the host', `127.0.0.1:${port}`, fromHost],
        ['namespace 1', `${own ?? 'the host'}:22`, toHost],
      ],
    );
    t.match(
      'a server listening in namespace 2 answers namespace 1 over the veth',
      fromA,
      /^answer hello from/,
    );
    t.equal('a third namespace has no route to it: ENETUNREACH', fromC, 'error ENETUNREACH');
    t.equal(
      "the host's loopback does not reach it: ECONNREFUSED on 127.0.0.1",
      fromHost,
      'error ECONNREFUSED',
    );
    t.equal(
      "namespace 1 has no route to the host's own address: ENETUNREACH",
      toHost,
      'error ENETUNREACH',
    );
  },
);
