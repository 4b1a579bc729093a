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

export const versions: VersionFact[] = [HW_WAITS_FOR_MIN_ISR];
