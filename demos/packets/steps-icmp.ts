// ICMP doing its jobs across the chain: echo, time exceeded (which traceroute reads hop by hop),
// destination unreachable (port unreachable ends the trace; admin-prohibited from a reject).

import { step } from '../kit/define.ts';
import { ADDR, type Env, inNode, snmp } from './env.ts';
import { traceroute } from './trace.ts';

export const icmpStep = step<Env>(
  {
    id: 'icmp',
    section: 'icmp-is-not-just-ping',
    title: 'ICMP is not just ping: echo, time exceeded, destination unreachable',
  },
  async (t, env) => {
    if (env.swept.length) t.say(`Removed what dead runs left: ${env.swept.join(', ')}.`);
    const echo = await inNode(env, 'client', 'ping', ['-n', '-c', '1', '-W', '2', ADDR.server]);
    const reply = /from (\S+): icmp_seq=1 ttl=(\d+)/.exec(echo.stdout);
    t.block(echo.stdout.trim().split('\n').slice(0, 2));
    t.equal(
      'an echo request crosses two routers and the reply comes back with TTL 64 − 2 = 62',
      [reply?.[1], reply?.[2]],
      [ADDR.server, '62'],
    );

    const before = await snmp(env, 'r1', 'IcmpOutTimeExcds');
    const short = await inNode(env, 'client', 'ping', [
      '-n',
      '-c',
      '1',
      '-W',
      '2',
      '-t',
      '1',
      ADDR.server,
    ]);
    const exceeded = (await snmp(env, 'r1', 'IcmpOutTimeExcds')) - before;
    t.block(short.stdout.trim().split('\n').slice(0, 2));
    t.match(
      'with TTL 1 the first router drops the packet and answers "Time to live exceeded"',
      short.stdout,
      new RegExp(`From ${ADDR.r1.replace(/\./g, '\\.')} icmp_seq=1 Time to live exceeded`),
    );
    t.equal("r1's IcmpOutTimeExcds counted that one answer", exceeded, 1);

    const unreachBefore = await snmp(env, 'server', 'IcmpOutDestUnreachs');
    const { lines, hops } = await traceroute(env);
    const unreach = (await snmp(env, 'server', 'IcmpOutDestUnreachs')) - unreachBefore;
    t.block(lines);
    t.equal(
      'traceroute lists each hop from the "time exceeded" answers of TTL 1, 2, then the server',
      hops,
      [ADDR.r1, ADDR.r2, ADDR.server],
    );
    t.check(
      "the UDP trace ends when the server answers its closed port with ICMP port unreachable (server's IcmpOutDestUnreachs grew)",
      unreach >= 1,
      `${unreach}`,
    );

    const reject = `table ip wn_icmp {
  chain reject_echo {
    type filter hook forward priority 0;
    ip daddr ${ADDR.server} icmp type echo-request reject with icmp type admin-prohibited;
  }
}`;
    await env.sandbox.nft(env.ns.r2, reject);
    const filtered = await inNode(env, 'client', 'ping', ['-n', '-c', '1', '-W', '2', ADDR.server]);
    await env.sandbox.nft(env.ns.r2, 'delete table ip wn_icmp');
    t.block(filtered.stdout.trim().split('\n').slice(0, 2));
    t.match(
      'a router that rejects says so: "Packet filtered" (destination unreachable, code 13) from r2',
      filtered.stdout,
      new RegExp(`From ${ADDR.r2.replace(/\./g, '\\.')} icmp_seq=1 Packet filtered`),
    );
  },
);
