// Lab: a zone whose "no such name" answers are cached for an hour, so a Service created after its
// clients first asked for it stays unresolvable. The learner's zone file is loaded by the demo's
// own knot beside its other zones, asked through the demo's unbound in the namespace (probe.mjs),
// and the claims read what the resolver kept: its cache, as the step `caching` reasons about it.

import { readFileSync } from 'node:fs';
import { defineLab } from '../../../kit/lab.ts';
import { labEnv, probe } from '../../env.ts';
import { cachedAnswer } from '../../servers.ts';
import { ANSWERS, zoneFiles } from '../../zones.ts';

const WITHIN_S = 60;
const NEW_NAME = 'payments.ns1.svc.cluster.local';
const KEPT_TTL = 300;

export const lab = defineLab(import.meta.url, {
  id: 'negative-ttl',
  title: 'Not found, for an hour',
  task: `A Service created after its clients first asked for it stays "not found" for an hour: change the cluster.local zone so a new name is seen within ${WITHIN_S} s, and nothing else changes.`,
  section: 'the-resolvers-cache-ttl-and-negative-answers',
  files: ['cluster.local.zone'],
  needs: ['network-namespaces', 'nftables', 'knot', 'unbound'],
  timeoutMs: 30_000,
  startFails: 'the resolver keeps the NXDOMAIN',
  check: async (t, dir) => {
    const zone = readFileSync(`${dir}/cluster.local.zone`, 'utf8');
    const env = await labEnv(t, { ...zoneFiles(), 'cluster.local': zone });
    const [missing, db] = await probe(env, [
      { op: 'resolve4', name: NEW_NAME },
      { op: 'resolve4', name: ANSWERS.db.name },
    ]);
    const kept = await cachedAnswer(env.ns, env.dns, NEW_NAME, 'A');
    t.table(
      ['question (through unbound)', 'answer', 'unbound keeps it'],
      [
        [
          `${NEW_NAME} A`,
          missing?.ok ? missing.addresses?.join(' ') : missing?.code,
          kept ? `${kept.rcode}, ${kept.ttl} s` : '(not cached)',
        ],
        [
          `${ANSWERS.db.name} A`,
          db?.ok ? `${db.addresses?.join(' ')} TTL ${db.ttls?.[0]}` : db?.code,
          '',
        ],
      ],
    );
    t.check(
      `the resolver keeps the NXDOMAIN for a name not yet created at most ${WITHIN_S} s`,
      missing?.code === 'ENOTFOUND' && kept?.rcode === 'NXDOMAIN' && kept.ttl <= WITHIN_S,
      `${missing?.code}; cached ${kept ? `${kept.rcode} for ${kept.ttl} s` : 'nothing'}`,
    );
    t.equal(
      `the names that exist keep their TTL: ${ANSWERS.db.name} answers ${ANSWERS.db.dns} for ${KEPT_TTL} s`,
      [db?.addresses, db?.ttls],
      [[ANSWERS.db.dns], [KEPT_TTL]],
    );
  },
  hints: [
    {
      claim: 'the resolver keeps the NXDOMAIN',
      ladder: [
        'The resolver still keeps "no such name" for longer than a minute: every client that asked before the Service existed is told it does not exist until that runs out.',
        "An NXDOMAIN answer carries the zone's SOA record, and a resolver caches the answer for the smaller of that SOA record's own TTL and the SOA's MINIMUM field, the last of its five numbers (RFC 2308 §4-5; the field's old meaning, RFC 1035, is gone).",
        'Lower the MINIMUM field (the fifth number after the names). refresh, retry and expire (the 2nd to 4th) are for secondary servers copying the zone and change nothing in a resolver.',
      ],
    },
    {
      claim: 'the names that exist keep their TTL',
      ladder: [
        'The records that exist changed: their answers come with another TTL (or address) than before.',
        "`$TTL` is the default TTL of every record without its own, not the negative-caching time: lowering it (or every TTL in the file) makes every answer of the zone expire sooner and multiplies the queries. Leave the records alone; lower the SOA's MINIMUM (or the SOA record's own TTL).",
      ],
    },
  ],
  wrong: [
    {
      case: 'refresh',
      fails: 'the resolver keeps the NXDOMAIN',
      why: 'refresh tells secondaries how often to check the serial; resolvers never read it',
    },
    {
      case: 'all-ttls',
      fails: 'the names that exist keep their TTL',
      why: 'every TTL at 60 shortens the negative answer (via the SOA record’s TTL), and every other answer too',
    },
  ],
});
