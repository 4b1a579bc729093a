// Socket errors produced for real inside the namespace: refused (by a RST or an ICMP), timed out
// (SYNs dropped), address in use, reset by the peer, write after close. Each row is what Node
// reported; the cause beside it is decode()'s line, the same one `why` prints.

import { step } from '../kit/define.ts';
import { expectedFor } from '../kit/versions.ts';
import { decode } from './decode.ts';
import { type Env, nftCounter, PORTS, type ProbeResult, probe, sysctl } from './env.ts';
import { runIn } from './netns.ts';
import { synsBeforeTimeout } from './versions.ts';

function row(what: string, r: ProbeResult | undefined): string[] {
  if (!r) return [what, '(no result)', '', ''];
  return [what, r.ok ? 'connected' : `${r.code} / ${r.syscall}`, r.message ?? '', `${r.ms} ms`];
}

export const refusedStep = step<Env>(
  {
    id: 'refused',
    section: 'refused-a-rst-or-an-icmp-error',
    title: 'ECONNREFUSED: nothing listening, or a firewall that rejects (even with a listener)',
  },
  async (t, env) => {
    if (env.swept.length) {
      t.say(`Removed what dead runs left: ${env.swept.join(', ')}.`);
    }
    const cases = [
      { what: `port ${PORTS.closed}: nothing listens`, port: PORTS.closed, listen: false },
      {
        what: `port ${PORTS.reset}: a server listens, nft \`reject with tcp reset\``,
        port: PORTS.reset,
        listen: true,
      },
      {
        what: `port ${PORTS.reject}: a server listens, nft \`reject\``,
        port: PORTS.reject,
        listen: true,
      },
      {
        what: `port ${PORTS.prohibited}: nft \`reject with icmpx type admin-prohibited\``,
        port: PORTS.prohibited,
        listen: true,
      },
    ];
    const results = await probe(
      env,
      cases.map((c) => ({ op: 'connect', host: '127.0.0.1', port: c.port, listen: c.listen })),
    );
    t.table(
      ['connect to 127.0.0.1', 'err.code / syscall', 'message', 'time'],
      cases.map((c, i) => row(c.what, results[i])),
    );
    const [closed, reset, reject, prohibited] = results;
    t.equal(
      'nothing listening: the SYN is answered by a RST, and Node says ECONNREFUSED (connect)',
      [closed?.code, closed?.syscall],
      ['ECONNREFUSED', 'connect'],
    );
    t.equal(
      'a firewall `reject with tcp reset` gives the same ECONNREFUSED while a server listens behind it',
      reset?.code,
      'ECONNREFUSED',
    );
    t.equal(
      "nft's plain `reject` (ICMP port unreachable) is ECONNREFUSED too: refused does not prove nothing listens",
      reject?.code,
      'ECONNREFUSED',
    );
    t.equal(
      'an ICMP admin-prohibited answer is EHOSTUNREACH, not ECONNREFUSED',
      prohibited?.code,
      'EHOSTUNREACH',
    );
    t.say(decode('ECONNREFUSED'));
  },
);

export const timeoutStep = step<Env>(
  {
    id: 'timeout',
    section: 'etimedout-a-firewall-that-drops',
    title: 'ETIMEDOUT: the SYNs are dropped and the kernel gives up after tcp_syn_retries',
  },
  async (t, env) => {
    const fresh = await sysctl(env, 'net.ipv4.tcp_syn_retries');
    // The budget is that of N retransmissions doubling from a 1 s RTO (RFC 6298): 1 + 2 + … +
    // 2^N = 2^(N+1) − 1 s. Since Linux 6.5 the first four come 1 s apart, so more SYNs fit in it,
    // and the give-up lands on the next timer after the budget (ip-sysctl.rst: 131 s for 6).
    t.show(
      'default in a fresh namespace',
      `tcp_syn_retries = ${fresh}: a budget of 2^${fresh + 1} − 1 = ${2 ** (fresh + 1) - 1} s before ETIMEDOUT (ip-sysctl.rst: 127 s, 131 s with Linux ≥ 6.5's linear timeouts)`,
    );
    t.equal('a fresh network namespace starts with tcp_syn_retries = 6', fresh, 6);
    const retries = await sysctl(env, 'net.ipv4.tcp_syn_retries', 1);
    t.say(`Set tcp_syn_retries = ${retries} inside the namespace only (it is per namespace).`);
    const before = await nftCounter(env, 'dropped_syns');
    t.waiting(`the kernel to give up on port ${PORTS.drop} (about ${2 ** (retries + 1) - 1} s)`);
    const [dropped] = await probe(env, [{ op: 'connect', host: '127.0.0.1', port: PORTS.drop }]);
    const syns = (await nftCounter(env, 'dropped_syns')) - before;
    await sysctl(env, 'net.ipv4.tcp_syn_retries', fresh);
    t.table(
      ['connect to 127.0.0.1', 'err.code / syscall', 'message', 'time'],
      [row(`port ${PORTS.drop}: nft \`drop\``, dropped)],
    );
    t.show('SYNs the firewall dropped (nft counter)', syns);
    t.equal(
      'a firewall that drops makes connect fail with ETIMEDOUT (connect), from the kernel, not Node',
      [dropped?.code, dropped?.syscall],
      ['ETIMEDOUT', 'connect'],
    );
    const ms = dropped?.ms ?? 0;
    t.check(
      `with tcp_syn_retries = 1 it gives up after about 3 s (2-10 s here: ${ms} ms)`,
      ms >= 2000 && ms <= 10_000,
      `${ms} ms`,
    );
    const linear = await sysctl(env, 'net.ipv4.tcp_syn_linear_timeouts');
    const kernel = (await runIn(env.ns, 'uname', ['-r'])).stdout.trim();
    t.uses('linux', kernel);
    const expected = expectedFor(synsBeforeTimeout, kernel);
    t.show('tcp_syn_linear_timeouts', Number.isNaN(linear) ? '(not in this kernel)' : linear);
    t.equal(
      `with Linux ${expected.when}, tcp_syn_retries = 1 sends ${expected.value} SYNs before ETIMEDOUT`,
      String(syns),
      expected.value,
    );
    t.say(decode('ETIMEDOUT'));
  },
);

export const establishedStep = step<Env>(
  {
    id: 'in-use-reset-pipe',
    section: 'eaddrinuse-econnreset-epipe',
    title: 'EADDRINUSE, ECONNRESET and EPIPE: a port held, a peer that resets, a write after close',
  },
  async (t, env) => {
    const [inUse, reset, pipe] = await probe(env, [
      { op: 'listenTwice' },
      { op: 'peerReset' },
      { op: 'writeAfterClose' },
    ]);
    const twice = inUse as unknown as { results: ProbeResult[] };
    const [plain, loopback] = twice.results;
    t.table(
      ['what', 'err.code / syscall', 'message', 'time'],
      [
        row('listen(port) while `listen(port)` holds it', plain),
        row("listen(port, '127.0.0.1') while `::` holds it", loopback),
        row('the server reads, then resetAndDestroy()', reset),
        row(`the server closes; the client writes (${pipe?.writes} writes)`, pipe),
      ],
    );
    t.match(
      "a second listen(port) fails with EADDRINUSE at `:::port`: Node's default listen binds `::`",
      plain?.message ?? '',
      /^listen EADDRINUSE: address already in use :::\d+$/,
    );
    t.equal(
      'the dual-stack `::` listener also holds 127.0.0.1 on that port',
      [loopback?.code, loopback?.syscall],
      ['EADDRINUSE', 'listen'],
    );
    t.equal(
      'a peer that resets an established connection gives ECONNRESET on read',
      [reset?.code, reset?.syscall],
      ['ECONNRESET', 'read'],
    );
    t.equal(
      'writing after the peer closed gives EPIPE on write (the RST arrived in CLOSE_WAIT)',
      [pipe?.code, pipe?.syscall],
      ['EPIPE', 'write'],
    );
    t.check(
      'the first write after the FIN still succeeds: only the RST it provokes makes the next one fail',
      (pipe?.writes ?? 0) >= 2,
      `${pipe?.writes} writes`,
    );
    for (const code of ['EADDRINUSE', 'ECONNRESET', 'EPIPE']) t.say(decode(code));
  },
);
