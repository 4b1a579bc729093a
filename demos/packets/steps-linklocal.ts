// Link-local addresses, measured: what a fresh interface gets (IPv6 fe80::/64, no IPv4
// 169.254/16), and what the routers do with packets whose source is link-local, per family.

import { step } from '../kit/define.ts';
import { ADDR, type Env, inNode, mustIn, snmp } from './env.ts';

const LL4 = '169.254.10.1';

/** A counter on the server of packets arriving from link-local sources, per family. */
const COUNT_LINK_LOCAL = `table inet wn_ll {
  counter from4 { }
  counter from6 { }
  chain in {
    type filter hook input priority 0;
    ip saddr 169.254.0.0/16 counter name from4;
    ip6 saddr fe80::/10 counter name from6;
  }
}`;

async function counter(env: Env, name: string): Promise<number> {
  const out = await mustIn(env, 'server', 'nft', ['list', 'counter', 'inet', 'wn_ll', name]);
  return Number(/packets (\d+)/.exec(out)?.[1] ?? Number.NaN);
}

export const linkLocalStep = step<Env>(
  {
    id: 'link-local',
    section: 'link-local-addresses',
    title:
      'Link-local: fe80:: on every interface, 169.254 on none; routers refuse IPv6, forward IPv4',
  },
  async (t, env) => {
    const dev = env.dev['client>r1'] as string;
    const addrs = (await mustIn(env, 'client', 'ip', ['-o', 'addr', 'show', 'dev', dev])).trim();
    const ll6 = /inet6 (fe80::[0-9a-f:]+)\/64 scope link/.exec(addrs)?.[1];
    t.block(addrs.split('\n').map((l) => l.replace(/\s+/g, ' ').replace(/\\.*$/, '')));
    t.check(
      'the kernel gave the fresh interface an IPv6 link-local address (fe80::/64) by itself',
      ll6 !== undefined,
      addrs,
    );
    t.check(
      'but no IPv4 link-local one: 169.254/16 comes from a daemon (avahi-autoipd, NetworkManager), not the kernel',
      !/inet 169\.254\./.test(addrs),
      addrs,
    );

    await env.sandbox.nft(env.ns.server, COUNT_LINK_LOCAL);
    await mustIn(env, 'client', 'ip', ['addr', 'add', `${LL4}/16`, 'dev', dev]);
    // The routers need a way back to 169.254/16: on-link at r1, through r1 at r2.
    await mustIn(env, 'r1', 'ip', [
      'route',
      'add',
      '169.254.0.0/16',
      'dev',
      env.dev['r1>client'] as string,
    ]);
    await mustIn(env, 'r2', 'ip', ['route', 'add', '169.254.0.0/16', 'via', ADDR.r1Right]);
    const four = await inNode(env, 'client', 'ping', [
      '-n',
      '-c',
      '3',
      '-i',
      '0.2',
      '-W',
      '2',
      '-I',
      LL4,
      ADDR.server,
    ]);
    const got4 = /(\d+) received/.exec(four.stdout)?.[1];
    const from4 = await counter(env, 'from4');
    t.show(
      `ping -I ${LL4} ${ADDR.server}`,
      `${got4} of 3 replies; the server saw ${from4} packets from 169.254/16`,
    );
    t.equal(
      'Linux routers forward a 169.254/16 source across two hops (RFC 3927 §2.7 says they MUST NOT)',
      [got4, from4],
      ['3', 3],
    );

    const errorsBefore = await snmp(env, 'r1', 'Ip6InAddrErrors');
    // The source must be forced: left alone, source selection picks the global address.
    const six = await inNode(env, 'client', 'ping', [
      '-6',
      '-n',
      '-c',
      '1',
      '-W',
      '2',
      '-I',
      `${ll6}%${dev}`,
      ADDR.server6,
    ]);
    const errors = (await snmp(env, 'r1', 'Ip6InAddrErrors')) - errorsBefore;
    const from6 = await counter(env, 'from6');
    t.block(six.stdout.trim().split('\n').slice(0, 2));
    t.match(
      'an IPv6 router refuses to forward a link-local source: "Beyond scope of source address"',
      six.stdout,
      /Destination unreachable: Beyond scope of source address/,
    );
    t.equal(
      'r1 counted it in Ip6InAddrErrors and the server never saw a fe80:: source',
      [errors, from6],
      [1, 0],
    );
  },
);
