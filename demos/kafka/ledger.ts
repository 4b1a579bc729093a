import type { LedgerEntry } from '../kit/ledger.ts';

/** Judged in the replication note too (seed 000:145, "AP: Cassandra, Kafka"): one verdict. */
export const capAp: LedgerEntry = {
  id: 'cap-ap',
  said: 'Kafka is an AP system (CAP).',
  source: 'seed 000:145',
  verdict: 'partly',
  truth:
    'It depends on the configuration, set per topic and producer: with the broker default ' +
    'min.insync.replicas=1 acks=all keeps accepting writes with one replica in sync, while with ' +
    'RF 3, min.insync.replicas=2, acks=all and unclean election off (its default) Kafka refuses ' +
    'writes it cannot replicate enough rather than accept them.',
  by: { step: 'min-isr', claim: 'acks=all now fails: NOT_ENOUGH_REPLICAS' },
};

export const ledger: LedgerEntry[] = [
  {
    id: 'topics-partitions',
    said: 'Data in Kafka is stored in topics, and each topic is split into one or more partitions.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth: 'A topic is a named set of partitions numbered from 0, each an append-only log.',
    by: { step: 'topics', claim: 'the topic has partitions 0, 1 and 2' },
  },
  {
    id: 'parallel-read',
    said: 'So a topic can be read from several partitions at the same time.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth:
      'A group spreads the partitions over its members, which read them in parallel; one ' +
      'consumer alone also fetches from all its partitions.',
    by: { step: 'assignment', claim: 'the split is 2 + 1 partitions' },
  },
  {
    id: 'same-key',
    said: 'Records with the same key always land in the same partition.',
    source: 'seed 000:193',
    verdict: 'partly',
    truth:
      'Only while the partition count and the partitioner stay the same: adding partitions ' +
      "remaps keys, and librdkafka's default CRC32 partitioner disagrees with the Java/kafkajs " +
      'murmur2 one.',
    by: { step: 'keys', claim: 'adding partitions moved' },
  },
  {
    id: 'same-key-clients',
    said: 'Every Kafka client puts a given key in the same partition.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "The producer picks the partition, and clients differ: librdkafka's default " +
      '(`consistent_random`, CRC32) places many keys elsewhere than Java and kafkajs (murmur2).',
    by: { step: 'keys', claim: "librdkafka's default would put" },
  },
  {
    id: 'broker-picks',
    said: 'The broker decides which partition a record goes to.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "The producer's partitioner computes the partition before sending; the broker appends to " +
      'the partition the request names.',
    by: { step: 'keys', claim: "kafkajs's DefaultPartitioner, called directly, agrees" },
  },
  {
    id: 'replicas-brokers',
    said: 'Partitions are replicated, and each replica is stored on a separate broker.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth: 'A partition with replication factor N has N replicas, on N different brokers.',
    by: { step: 'topics', claim: 'every partition has 3 replicas, each on a different broker' },
  },
  {
    id: 'leader-writes',
    said: 'Only one replica of a partition takes writes: the leader.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth: "Produce requests go to the partition's leader; followers copy from it.",
    by: { step: 'topics', claim: 'each Produce request went to the leader of its partition' },
  },
  {
    id: 'followers',
    said: 'The other replicas of a partition are called followers.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth: 'Followers fetch from the leader like consumers; those caught up form the ISR with it.',
    by: {
      cited: 'Kafka documentation, "Design: Replication"',
      why: 'a name, not a behaviour a step can observe',
    },
  },
  {
    id: 'metadata',
    said: 'To write, the producer asks the brokers for metadata and finds the leader in it.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth:
      'Any broker answers a Metadata request with every partition and its leader; the producer ' +
      'then sends each batch to that leader.',
    by: { step: 'topics', claim: 'before its first Produce the producer asked a broker' },
  },
  {
    id: 'groups',
    said: 'Consumers are combined into groups.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth: 'Consumers with the same group.id form one group, run by one broker, its coordinator.',
    by: { step: 'assignment', claim: 'the coordinator lists 2 members in a Stable group' },
  },
  {
    id: 'group-offset',
    said:
      'For a group Kafka stores an offset: the position in the log that its members have already ' +
      'read for that partition.',
    source: 'seed 000:193',
    verdict: 'partly',
    truth:
      'It stores one committed offset per partition, and it is the next offset to read (one past ' +
      'the last processed record), written when the consumer commits, not when it reads.',
    by: { step: 'offsets', claim: 'the restarted member began at the committed offsets' },
  },
  {
    id: 'split-partitions',
    said: 'Partitions are distributed among the members of the consumer group.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth: "The group leader's assignor deals them out; every rebalance deals them again.",
    by: { step: 'rebalance', claim: 'every partition still has exactly one owner' },
  },
  {
    id: 'one-reader',
    said: 'A partition is read by only one member of the group.',
    source: 'seed 000:193',
    verdict: 'holds',
    truth:
      'Each partition has exactly one owner per consumer group at a time; after a crash the next ' +
      'owner may read again what the previous one processed but had not committed. (Share ' +
      'groups, production-ready in Kafka 4.2, are another kind of group: their members share ' +
      'partitions.)',
    by: {
      step: 'assignment',
      claim: 'each of the 3 partitions has exactly one owner in the group',
    },
  },
  {
    id: 'new-partition',
    said:
      'To add a member to a group that has fewer partitions than members, a new partition has to ' +
      'be created.',
    source: 'seed 000:193',
    verdict: 'wrong',
    truth:
      'Joining never creates a partition: the extra member gets an empty assignment and sits idle ' +
      'until an active member leaves.',
    by: { step: 'idle-member', claim: 'the topic still has 3 partitions: joining creates none' },
  },
  {
    id: 'more-consumers',
    said: 'More consumers in a group always means more throughput.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Beyond the partition count the extra members of a consumer group read nothing (a share ' +
      'group, Kafka 4.2, is the exception: its members share partitions).',
    by: { step: 'idle-member', claim: 'the idle ' },
  },
  capAp,
  {
    id: 'acks-all-every-replica',
    said: 'acks=all means every replica has the record.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'It means every replica in the current ISR has it; with a broker down that is 2 of 3, ' +
      'and min.insync.replicas sets how small the ISR may get.',
    by: { step: 'min-isr', claim: 'RF 3, min.insync.replicas=2, ISR of 2: acks=all is accepted' },
  },
  {
    id: 'acks-1-readable',
    said: 'A write the broker acknowledged is readable at once.',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Consumers read only below the high watermark; on Kafka 4.1 with Eligible Leader Replicas ' +
      'an acks=1 write made while the ISR is below min.insync.replicas waits until it recovers.',
    by: { step: 'min-isr', claim: 'Kafka 4.1+ (ELR on' },
  },
  {
    id: 'failover-loss',
    said: 'When a leader dies, acknowledged writes can be lost.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'True of acks=1 writes, which only the leader had: a SIGKILLed leader lost some it had ' +
      'acknowledged. With acks=all, min.insync.replicas of 2 or more and unclean election off, ' +
      "one broker's crash loses none (Kafka acknowledges before fsync, so losing every replica " +
      'at once still can, KIP-966).',
    by: { step: 'leader-crash', claim: 'acks=1: writes the leader acknowledged' },
  },
  {
    id: 'topic-order',
    said: 'Kafka keeps a topic in order.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Only a partition is ordered; offsets restart at 0 in every partition.',
    by: { step: 'ordering', claim: 'offsets start at 0 and grow by 1 in every partition' },
  },
  {
    id: 'from-beginning',
    said: '`fromBeginning: true` (auto.offset.reset=earliest) makes a restarted consumer re-read the topic.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'The reset policy applies only where the group has no valid committed offset.',
    by: { step: 'offsets', claim: 'the restarted member began at the committed offsets' },
  },
  {
    id: 'reset-new-only',
    said: 'auto.offset.reset only matters for a brand-new group.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'It also applies when the committed offset is out of range, e.g. below the log start after ' +
      'retention or deleteRecords removed those records.',
    by: {
      step: 'offset-reset',
      claim: 'fromBeginning: true (auto.offset.reset=earliest) restarts',
    },
  },
  {
    id: 'offsets-forever',
    said: 'A committed offset is kept until the group commits another.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Committed offsets expire: offsets.retention.minutes (7 days by default since Kafka 2.0) ' +
      'after the group became empty (since 2.1); the group then starts by its reset policy.',
    by: {
      cited: 'Kafka broker configuration `offsets.retention.minutes`; KIP-186, KIP-211',
      why: 'a broker-wide setting of at least a minute, on a cluster other runs share',
    },
  },
  {
    id: 'crash-reassign',
    said: "A crashed consumer's partitions go to the others at once.",
    source: 'lore',
    verdict: 'wrong',
    truth:
      'A member that dies without LeaveGroup keeps its partitions, unread, until its session ' +
      'timeout expires.',
    by: { step: 'crash', claim: 'right after the kill the coordinator still lists both members' },
  },
  {
    id: 'exactly-once',
    said: 'Kafka delivers every record exactly once.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'A consumer that commits after processing is at-least-once: a crash before the commit ' +
      'redoes the work. Exactly-once needs the idempotent producer, transactions and ' +
      'read_committed, and covers only what is written back to Kafka (KIP-98).',
    by: { step: 'crash', claim: 'the survivor resumed at the last commit' },
  },
];
