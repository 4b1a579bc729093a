// Name resolution inside the namespace: getaddrinfo (dns.lookup) against c-ares (dns.resolve*),
// the resolver's cache and its TTLs, and what ndots:5 with a search list does to one lookup.
// The client's questions are counted in unbound's query log, the authority's in knot's stats.

import { setTimeout as delay } from 'node:timers/promises';
import { step } from '../kit/define.ts';
import { decode } from './decode.ts';
import { counted, type Env, etc, POD_RESOLV_CONF, probe } from './env.ts';
import { authorityCounts, flushCache } from './servers.ts';
import { ANSWERS, NEGATIVE_TTL, SHORT_TTL } from './zones.ts';

function outcome(r: { ok: boolean; addresses?: string[]; code?: string; syscall?: string }) {
  return r.ok ? (r.addresses ?? []).join(' ') : `${r.code} (${r.syscall})`;
}

export const lookupStep = step<Env>(
  {
    id: 'lookup-resolve',
    section: 'dnslookup-and-dnsresolve-take-different-paths',
    title:
      'dns.lookup reads /etc/hosts and the search list; dns.resolve4 asks DNS for the name only',
  },
  async (t, env) => {
    await flushCache(env.ns, env.dns);
    const cases = [
      {
        call: `dns.lookup('${ANSWERS.db.name}')`,
        op: { op: 'lookup', name: ANSWERS.db.name, family: 4 },
      },
      { call: `dns.resolve4('${ANSWERS.db.name}')`, op: { op: 'resolve4', name: ANSWERS.db.name } },
      { call: "dns.lookup('api')", op: { op: 'lookup', name: 'api', family: 4 } },
      { call: "dns.resolve4('api')", op: { op: 'resolve4', name: 'api' } },
    ];
    const rows = [];
    for (const c of cases) {
      const { results, questions } = await counted(env, [c.op]);
      rows.push({ ...c, r: results[0], questions });
    }
    t.table(
      ['call (inside the namespace)', 'answer', 'questions to the resolver'],
      rows.map((x) => [x.call, x.r ? outcome(x.r) : '', x.questions.join(', ') || '(none)']),
    );
    const [hostsLookup, hostsResolve, shortLookup, shortResolve] = rows;
    t.equal(
      'dns.lookup answers from /etc/hosts without asking DNS at all',
      [hostsLookup?.r?.addresses, hostsLookup?.questions.length],
      [[ANSWERS.db.hosts], 0],
    );
    t.equal(
      'dns.resolve4 ignores /etc/hosts: one question, the DNS answer',
      [hostsResolve?.r?.addresses, hostsResolve?.questions.length],
      [[ANSWERS.db.dns], 1],
    );
    t.equal(
      "dns.lookup('api') finds the Service through the search list (first suffix, one question)",
      [shortLookup?.r?.addresses, shortLookup?.questions],
      [[ANSWERS.service.address], [`${ANSWERS.service.name}. A`]],
    );
    t.equal(
      "dns.resolve4('api') asks for `api.` alone and fails with ENOTFOUND (queryA)",
      [shortResolve?.r?.code, shortResolve?.r?.syscall, shortResolve?.questions],
      ['ENOTFOUND', 'queryA', ['api. A']],
    );
    // No resolver at all: nothing listens where resolv.conf points.
    etc(env, 'resolv.conf', 'nameserver 127.0.0.9\n');
    t.defer(() => etc(env, 'resolv.conf', POD_RESOLV_CONF));
    const [none] = await probe(env, [{ op: 'lookup', name: ANSWERS.external.name, family: 4 }]);
    etc(env, 'resolv.conf', POD_RESOLV_CONF);
    t.show(
      `no resolver (nameserver 127.0.0.9): dns.lookup('${ANSWERS.external.name}')`,
      none ? `${none.message} in ${none.ms} ms` : '',
    );
    t.equal(
      'with no resolver reachable, getaddrinfo fails with EAI_AGAIN, not ENOTFOUND',
      none?.code,
      'EAI_AGAIN',
    );
    t.say(decode('EAI_AGAIN'));
  },
);

export const cachingStep = step<Env>(
  {
    id: 'caching',
    section: 'the-resolvers-cache-ttl-and-negative-answers',
    title: 'A repeat within the TTL never reaches the authority; after it, it does; NXDOMAIN too',
  },
  async (t, env) => {
    await flushCache(env.ns, env.dns);
    const positive = { op: 'resolve4', name: ANSWERS.short.name };
    const negative = { op: 'resolve4', name: 'nope.cluster.local' };
    const rows: string[][] = [];
    // Each round asks both names `rounds` times in one process, so a repeat follows its first
    // question by milliseconds, well inside the TTLs, however slow the machine is.
    const ask = async (when: string, rounds: number) => {
      const before = await authorityCounts(env.ns, env.dns);
      const results = await probe(
        env,
        Array.from({ length: rounds }, () => [positive, negative]).flat(),
      );
      const after = await authorityCounts(env.ns, env.dns);
      for (let i = 0; i < rounds; i += 1) {
        const [pos, neg] = [results[2 * i], results[2 * i + 1]];
        rows.push([
          i === 0 ? when : 'at once again',
          pos ? `${outcome(pos)} TTL ${pos.ttls?.[0]}` : '',
          neg ? outcome(neg) : '',
        ]);
      }
      return {
        results,
        queries: after.queries - before.queries,
        nxdomain: after.nxdomain - before.nxdomain,
      };
    };
    const first = await ask('cold cache', 2);
    const wait = Math.max(SHORT_TTL, NEGATIVE_TTL) + 1;
    t.waiting(
      `${wait} s: both TTLs (${SHORT_TTL} s and the SOA minimum ${NEGATIVE_TTL} s) to run out`,
    );
    // The point is the clock: the cached entries expire by time, nothing else ends them.
    await delay(wait * 1000);
    const later = await ask(`${wait} s later`, 1);
    t.table(['when', `${ANSWERS.short.name} (TTL ${SHORT_TTL})`, 'nope.cluster.local'], rows);
    t.show(
      'cold cache, each name twice: queries that reached knot',
      `${first.queries}, ${first.nxdomain} of them NXDOMAIN`,
    );
    t.show(
      `${wait} s later, each name once: queries that reached knot`,
      `${later.queries}, ${later.nxdomain} of them NXDOMAIN`,
    );
    t.equal(
      'a repeat within the TTL never reaches the authority: 2 names asked twice, 2 queries at knot',
      first.queries,
      2,
    );
    const repeated = first.results[2];
    t.check(
      'the cached answer comes with the TTL counting down, never above the record TTL',
      (repeated?.ttls?.[0] ?? 99) <= SHORT_TTL,
      `TTL ${repeated?.ttls?.[0]}`,
    );
    t.equal(
      'NXDOMAIN is cached too: both askings of the missing name got ENOTFOUND, knot answered NXDOMAIN once',
      [first.results[1]?.code, first.results[3]?.code, first.nxdomain],
      ['ENOTFOUND', 'ENOTFOUND', 1],
    );
    t.equal(
      `after the TTLs (${SHORT_TTL} s, and the SOA minimum ${NEGATIVE_TTL} s for NXDOMAIN, RFC 2308) both reach the authority again`,
      [later.queries, later.nxdomain],
      [2, 1],
    );
  },
);

export const ndotsStep = step<Env>(
  {
    id: 'ndots',
    section: 'ndots5-and-the-search-list',
    title:
      'ndots:5 and three search domains: one lookup becomes 8 questions; with a trailing dot, 2',
  },
  async (t, env) => {
    t.block(POD_RESOLV_CONF.trim().split('\n'));
    const cases = [
      {
        call: `dns.lookup('${ANSWERS.external.name}')`,
        op: { op: 'lookup', name: ANSWERS.external.name },
      },
      {
        call: `dns.lookup('${ANSWERS.external.name}', {family: 4})`,
        op: { op: 'lookup', name: ANSWERS.external.name, family: 4 },
      },
      {
        call: `dns.lookup('${ANSWERS.external.name}.')`,
        op: { op: 'lookup', name: `${ANSWERS.external.name}.` },
      },
      {
        call: `dns.resolve4('${ANSWERS.external.name}')`,
        op: { op: 'resolve4', name: ANSWERS.external.name },
      },
      {
        call: "net.connect(5432, 'postgres-service')",
        op: { op: 'connect', host: 'postgres-service', port: 5432 },
      },
    ];
    const rows = [];
    for (const c of cases) {
      await flushCache(env.ns, env.dns);
      const { results, questions, rcodes } = await counted(env, [c.op]);
      rows.push({ ...c, r: results[0], questions, rcodes });
    }
    t.table(
      ['call', 'answer', 'questions'],
      rows.map((x) => [x.call, x.r ? outcome(x.r) : '', String(x.questions.length)]),
    );
    const [both, four, dotted, resolved, missing] = rows;
    t.block(['questions of the first call:', ...(both?.questions ?? []).map((q) => `  ${q}`)]);
    t.equal(
      'ndots:5 makes api.example.com (2 dots) try the 3 search domains first: 8 questions (A and AAAA each)',
      [both?.r?.addresses, both?.questions.length],
      [[ANSWERS.external.address], 8],
    );
    t.equal('asking for IPv4 only halves it: 4 questions', four?.questions.length, 4);
    t.equal(
      'a trailing dot makes the name absolute: 1 question per address family asked (A and AAAA: 2)',
      dotted?.questions,
      [`${ANSWERS.external.name}. A`, `${ANSWERS.external.name}. AAAA`],
    );
    t.equal('dns.resolve4 ignores the search list: 1 question', resolved?.questions, [
      `${ANSWERS.external.name}. A`,
    ]);
    t.equal(
      'a wrong Service name fails before any connection: ENOTFOUND (getaddrinfo), not ECONNREFUSED',
      [missing?.r?.code, missing?.r?.syscall],
      ['ENOTFOUND', 'getaddrinfo'],
    );
    const names = [...new Set(missing?.questions.map((q) => q.split(' ')[0]))];
    t.equal(
      'after 8 questions (A and AAAA for postgres-service with each search domain, then alone), all NXDOMAIN',
      [names, new Set(missing?.rcodes).size === 1 ? missing?.rcodes[0] : missing?.rcodes.join(' ')],
      [
        ['ns1.svc.cluster.local.', 'svc.cluster.local.', 'cluster.local.', ''].map(
          (d) => `postgres-service.${d}`,
        ),
        'NXDOMAIN',
      ],
    );
    t.say(decode('ENOTFOUND'));
  },
);
