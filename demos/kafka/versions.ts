import { atLeast, type VersionFact } from '../kit/versions.ts';

/**
 * Whether a write the leader accepted (acks=1) while the ISR is below min.insync.replicas can be
 * read before the ISR recovers. Eligible Leader Replicas (KIP-966), on by default in clusters
 * formatted on Kafka 4.1, holds the high watermark back; earlier clusters are not measured here.
 */
export const HW_WAITS_FOR_MIN_ISR: VersionFact = {
  id: 'hw-under-min-isr',
  fact: 'an acks=1 write while ISR < min.insync.replicas is readable before the ISR recovers',
  part: 'kafka',
  cases: [
    {
      when: 'Kafka 4.1+ (ELR on, a cluster formatted on 4.1)',
      applies: (v) => atLeast(v, '4.1'),
      value: 'no: the high watermark stays below it',
      seen: 'Kafka 4.1.2',
    },
  ],
};

/**
 * Cited, not measured: facts of clients and protocols kafkajs does not have, or of releases this
 * machine does not run. No step asks them for an expected value (`applies` is never true).
 */
const cited = (fact: string, part: string, rows: [string, string, string][]): VersionFact => ({
  id: fact,
  fact,
  part,
  cases: rows.map(([when, value, seen]) => ({ when, applies: () => false, value, seen })),
});

const SHARE_GROUPS = cited('several members of one group read the same partition', 'kafka', [
  [
    'Kafka ≤ 4.1',
    'no: consumer groups only (share groups: early access in 4.0, preview in 4.1)',
    'not run here (KIP-932)',
  ],
  [
    'Kafka ≥ 4.2',
    'yes, in a share group (KIP-932, production-ready)',
    'not run here (Kafka 4.2 upgrade notes)',
  ],
]);

const IDEMPOTENCE_DEFAULT = cited('Java producer idempotent by default', 'kafka clients', [
  [
    '3.0.0, 3.1.0',
    'no: the default was not applied (KAFKA-13598)',
    'not run here (upgrade notes 3.2.0)',
  ],
  [
    '3.0.1, 3.1.1, ≥ 3.2',
    'yes, unless acks ≠ all, retries=0 or max.in.flight > 5 turn it off',
    'not run here (KAFKA-13673)',
  ],
]);

const SESSION_TIMEOUT = cited("a consumer's session timeout", 'kafka', [
  [
    'classic protocol',
    "the client's session.timeout.ms (Java 45 s since 3.0, KIP-735; kafkajs 30 s)",
    'cited (KIP-735; kafkajs docs)',
  ],
  [
    'consumer protocol (KIP-848, GA in 4.0)',
    "the broker's group.consumer.session.timeout.ms (45 s); the client's is not used",
    'not run here (KIP-848)',
  ],
]);

const OFFSET_RESET = cited('auto.offset.reset values', 'kafka clients', [
  ['Kafka 3.x clients', 'earliest, latest, none', 'cited (consumer configs)'],
  [
    'Kafka 4.x clients',
    'also by_duration:<ISO-8601 duration> (KIP-1106)',
    'not run here (KIP-1106)',
  ],
]);

export const versions: VersionFact[] = [
  HW_WAITS_FOR_MIN_ISR,
  SHARE_GROUPS,
  IDEMPOTENCE_DEFAULT,
  SESSION_TIMEOUT,
  OFFSET_RESET,
];
