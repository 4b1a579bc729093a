// What the seed notes (000: "CAP теорема", "Уровни консистентности в распределенных БД", "Read
// own writes", BASE, PgBouncer and replicas; 002: read replicas) and interview lore say about
// replication and consistency, each decided by a claim of a step or cited.

import { capAp } from '../kafka/ledger.ts';
import { decidedIn, type LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'cap-letters',
    said: 'CAP: Consistency, Availability, Partition tolerance',
    source: 'seed 000:140',
    verdict: 'holds',
    truth:
      'In the theorem C is linearizability (every read sees the latest completed write), A is an answer from every node that has not failed, and P is going on while messages between nodes are lost.',
    by: {
      cited: 'Gilbert and Lynch, "Brewer\'s conjecture and the feasibility of …", 2002, §2',
      why: 'definitions, not a behaviour to measure',
    },
  },
  {
    id: 'cap-two-of-three',
    said: 'Within a bounded period of time only two of the three properties can be provided',
    source: 'seed 000:141',
    verdict: 'partly',
    truth:
      'The choice is forced only while a partition lasts: a replicated system then refuses requests (gives up A) or answers from a copy that is stale or diverges (gives up C). Without a partition it has both; the synchronous primary here acknowledged the waiting commit as soon as its standby was reachable again. PACELC names what is traded then: latency against consistency.',
    by: { step: 'cap-sync', claim: 'when the standby reconnects the waiting COMMIT returns' },
  },
  {
    id: 'cap-postgres-ca',
    said: 'CA: relational databases, MySQL, Postgres',
    source: 'seed 000:143',
    verdict: 'wrong',
    truth:
      'A replicated database cannot opt out of partitions, so "CA" describes only a single server, which is no distributed system. One PostgreSQL pair makes either choice: with a synchronous standby cut off, its primary stops acknowledging commits (C over A); with an asynchronous one it acknowledges them, and a failover loses them (A over C).',
    by: {
      step: 'cap-sync',
      claim: 'during the partition the primary does not acknowledge a commit',
    },
  },
  {
    id: 'cap-cp-list',
    said: 'CP: HBase, MongoDB, Redis',
    source: 'seed 000:144',
    verdict: 'partly',
    truth:
      'Redis replicates asynchronously, and the Redis Cluster specification says it can lose writes it acknowledged, so it is not CP. MongoDB is CP only with writeConcern "majority" and readConcern "linearizable". HBase serves each region from one server, so it refuses rather than diverges.',
    by: {
      cited:
        'Redis Cluster specification, "Write safety"; MongoDB manual, Read Concern "linearizable"',
      why: 'no Redis Cluster, MongoDB or HBase runs here',
    },
  },
  {
    id: 'cap-ap-cassandra',
    said: 'AP: Cassandra',
    source: 'seed 000:145',
    verdict: 'partly',
    truth:
      "Cassandra's consistency is chosen per request: ONE answers from any replica, QUORUM reads and writes overlap.",
    by: { cited: 'Apache Cassandra docs, "Tunable consistency"', why: 'no Cassandra here' },
  },
  // The same seed line's Kafka half: one verdict, the kafka topic's.
  decidedIn('kafka', capAp),
  {
    id: 'consistency-two-models',
    said: 'Consistency levels in distributed databases: strong, eventual',
    source: 'seed 000:247',
    verdict: 'partly',
    truth:
      'Strong (linearizable) and eventual are the two ends; between them lie causal, read-your-writes, monotonic reads and more, and one database gives different reads different guarantees: a read on the standby here missed a row the primary had acknowledged, a read on the primary did not.',
    by: {
      step: 'async-lag',
      claim: 'COMMIT returned on the primary, yet a query on the standby finds 0 rows',
    },
  },
  {
    id: 'consistency-ack-counts',
    said: 'The consistency levels are: at least one, at least two, all, quorum',
    source: 'seed 000:248-251',
    verdict: 'wrong',
    truth:
      "These are how many replicas acknowledge one request (Cassandra's ONE, TWO, ALL, QUORUM), not consistency models; a read is sure to see the last write only when the read and write replica sets overlap (R + W > N). PostgreSQL's counterpart is synchronous_standby_names (FIRST n, ANY n) with synchronous_commit, and what a level waits for differs: here four levels returned with the row invisible on the synchronous standby.",
    by: {
      step: 'sync-levels',
      claim: 'off, local, remote_write and on return while replay is paused',
    },
  },
  {
    id: 'ryw-same-source',
    said: 'Read own writes: after a write, read back exactly that data, i.e. read only from the source the write went to',
    source: 'seed 000:254',
    verdict: 'partly',
    truth:
      "The guarantee is right: a client sees its own earlier writes (others may still read stale data). Reading from the primary is one way; waiting until the standby's replay LSN passes the write's commit LSN is another, and synchronous_commit = remote_apply a third.",
    by: {
      step: 'read-your-writes',
      claim: 'once replay resumes, the standby passes the token LSN',
    },
  },
  {
    id: 'base-basic-availability',
    said: 'Basic availability: every request is completed, successfully or not',
    source: 'seed 000:279',
    verdict: 'partly',
    truth:
      'That is what BASE systems aim for; a database that prefers consistency does not give it: a commit on a PostgreSQL primary whose synchronous standby is gone neither succeeds nor fails, it waits until the standby returns or someone cancels it.',
    by: { step: 'sync-down', claim: 'the INSERT does not return: its backend waits in SyncRep' },
  },
  {
    id: 'base-soft-state',
    said: 'Replicas can stay inconsistent for a while (soft state)',
    source: 'seed 000:280',
    verdict: 'holds',
    truth:
      'An asynchronous standby lags by the WAL it has not replayed: here it had received and flushed the commit and still showed no row.',
    by: { step: 'async-lag', claim: 'but has not replayed it' },
  },
  {
    id: 'base-eventual',
    said: 'All the data still becomes consistent in the end (eventual consistency)',
    source: 'seed 000:281',
    verdict: 'partly',
    truth:
      'Only while no acknowledged write is lost on the way: after a failover to an asynchronous standby that was cut off, the writes the old primary acknowledged are not on the new one, and nothing brings them back.',
    by: { step: 'cap-async', claim: 'the failover lost' },
  },
  {
    id: 'pgbouncer-read-write',
    said: 'Splitting connections into write and read: PgBouncer cannot do it?',
    source: 'seed 000:369',
    verdict: 'holds',
    truth:
      "PgBouncer pools connections and does not parse SQL, so it does not route reads; the application picks a pool per primary and replica, or Pgpool-II does, or libpq's target_session_attrs (standby values since 14) and load_balance_hosts (16).",
    by: {
      cited: 'PgBouncer FAQ; PostgreSQL 15 docs, §34.1.2 Parameter Key Words, target_session_attrs',
      why: 'no PgBouncer here',
    },
  },
  {
    id: 'sync-on-the-replica',
    said: 'Synchronous replication: a transaction counts as written once it is on the replica',
    source: 'seed 000:370',
    verdict: 'partly',
    truth:
      'With synchronous_commit = on (the default) COMMIT waits until the synchronous standby has flushed the WAL, not until the row is visible there; only remote_apply waits for visibility. A cancelled wait leaves the transaction committed on the primary alone.',
    by: {
      step: 'sync-levels',
      claim: 'yet after off, local, remote_write and on the standby shows none',
    },
  },
  {
    id: 'async-blank',
    said: 'Asynchronous replication: (left blank)',
    source: 'seed 000:371',
    verdict: 'partly',
    truth:
      'COMMIT returns once the primary has flushed it; the standby applies it later, so its reads are stale meanwhile, and a failover loses what it had not received even though the client was told it committed.',
    by: { step: 'cap-async', claim: 'during the partition the primary acknowledges all' },
  },
  {
    id: 'reads-to-replicas',
    said: 'Many services, many parallel connections: scale horizontally and send the reads to replicas',
    source: 'seed 000:385',
    verdict: 'partly',
    truth:
      'Replicas spread read load, but each connection is still a server process on whichever server it reaches (max_connections applies per server), so many connections call for a pooler; and a read on a replica is stale until it has replayed the write.',
    by: {
      step: 'read-your-writes',
      claim: 'reading from the standby right after the write returns the old value',
    },
  },
  {
    id: 'read-replicas-002',
    said: 'PostgreSQL with read replicas: writes to the primary, reads from the replicas',
    source: 'seed 002:714',
    verdict: 'partly',
    truth:
      'Fine for reads that tolerate staleness; a user who reads right after writing can get the old value from a replica, so that read needs an LSN wait, remote_apply or the primary.',
    by: { step: 'read-your-writes', claim: 'the fallback read from the primary sees the write' },
  },
  {
    id: 'sync-never-loses',
    said: 'With synchronous replication a commit either reaches the standby or fails',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'A commit whose wait for the standby is cancelled (pg_cancel_backend, a client that gives up and cancels) returns success with a WARNING, and the row is on the primary only.',
    by: { step: 'sync-down', claim: 'after pg_cancel_backend the client sees the INSERT succeed' },
  },
  {
    id: 'statement-timeout-bounds',
    said: 'statement_timeout bounds how long a commit can hang on a synchronous standby',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'The timeout is disabled before the commit waits for the standby (finish_xact_command in postgres.c), so a commit waits for a missing synchronous standby until it returns or the wait is cancelled.',
    by: { step: 'sync-down', claim: 'statement_timeout = 200ms does not end it' },
  },
  {
    id: 'promotion-fences',
    said: 'Promoting the standby makes it the primary; the old one steps down',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'pg_promote() changes only the standby; the old primary goes on accepting writes until something stops or fences it, and the two diverge (split brain).',
    by: { step: 'promote', claim: 'nothing fences the old primary' },
  },
];
