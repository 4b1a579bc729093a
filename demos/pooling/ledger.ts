// What the seed notes (000: PgBouncer, "many services, many connections"; 002: connection
// pooling for a FastAPI service, its pitfalls and follow-up questions) and interview lore say
// about connection pooling, each decided by a claim of a step or cited.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'pgbouncer-pools',
    said: 'PgBouncer — what is it for? Connection pooling',
    source: 'seed 000:368',
    verdict: 'holds',
    truth:
      'PgBouncer hands a few server connections to many clients: 50 clients were served by 5 server backends, where 50 direct connections got 53300 beyond the 20th.',
    by: { step: 'pooled', claim: 'they were served by at most 5 server connections' },
  },
  {
    id: 'pgbouncer-rw-split',
    said: 'A connection pool splits connections into writes and reads — PgBouncer does not allow that?',
    source: 'seed 000:369',
    verdict: 'partly',
    truth:
      'PgBouncer never looks inside a statement: it keeps one pool per [databases] entry, each leading to one host, and forwards whatever arrives. A write sent to the entry that leads to a standby fails there (25006). The application picks the entry (or a proxy that parses SQL, such as Pgpool-II, does).',
    by: { step: 'rw-split', claim: 'a write sent to app_ro is not rerouted' },
  },
  {
    id: 'raise-max-connections',
    said: 'Many services, many parallel connections: tune the max_connections parameter',
    source: 'seed 000:384',
    verdict: 'partly',
    truth:
      'max_connections is a hard cap: every connection beyond it fails at once with SQLSTATE 53300, and an ordinary role gets superuser_reserved_connections (3) fewer. Raising it costs a process and memory per connection; a pooler lets the same clients share fewer connections.',
    by: { step: 'too-many-clients', claim: 'every connection beyond the limit fails at once' },
  },
  {
    id: 'reads-to-replicas',
    said: 'Scale horizontally and send the reading queries to replicas',
    source: 'seed 000:385',
    verdict: 'partly',
    truth:
      'Replicas spread read load, but every instance still opens its pool to the primary for writes: the number that breaks is instances × pool size against max_connections − reserved, and more instances make it worse. Smaller pools or a pooler in between fix the count.',
    by: { step: 'app-pool', claim: 'pools that together want more than max_connections' },
  },
  {
    id: 'pool-reuses',
    said: 'A connection pool reuses connections instead of creating new ones for each request',
    source: 'seed 002:397',
    verdict: 'holds',
    truth:
      'A node-postgres Pool of max 5 answered 20 concurrent queries on at most 5 connections, queueing the rest; 20 sequential pool.query() calls ran on 1 backend.',
    by: { step: 'app-pool', claim: '20 concurrent queries on a Pool of max 5' },
  },
  {
    id: 'pool-size-overflow',
    said: 'pool_size=20 persistent connections, max_overflow=10: up to 30 total if needed',
    source: 'seed 002:400-401',
    verdict: 'partly',
    truth:
      "Up to 30 per engine, that is per process: a service with 4 workers in each of 3 pods wants 360 connections, against PostgreSQL's default max_connections of 100. Overflow connections are closed when returned, so a burst also pays the connection setup again.",
    by: { step: 'app-pool', claim: 'pools that together want more than max_connections' },
  },
  {
    id: 'pool-pre-ping',
    said: 'pool_pre_ping=True: check the connection is alive before using it',
    source: 'seed 002:402',
    verdict: 'holds',
    truth:
      'SQLAlchemy runs a ping (SELECT 1 or the driver’s ping) on each checkout and replaces a connection the server or a proxy has closed, at the cost of a round trip per checkout.',
    by: {
      cited: 'SQLAlchemy 2.0 docs, "Dealing with Disconnects": Disconnect Handling - Pessimistic',
      why: 'no SQLAlchemy here; the demo uses node-postgres',
    },
  },
  {
    id: 'connect-per-request',
    said: 'No connection pooling: creating a new DB connection per request (slow!)',
    source: 'seed 002:730',
    verdict: 'holds',
    truth:
      'Each new PostgreSQL connection forks a server process and authenticates: 20 requests made 20 backends, where the pool used one. The time is shown, not asserted (tens of ms against a fraction of one here).',
    by: { step: 'app-pool', claim: 'a new connection per request starts a new server process' },
  },
  {
    id: 'exhaustion-queue',
    said: 'How do you handle database connection exhaustion? Connection pooling + queue requests',
    source: 'seed 002:739',
    verdict: 'partly',
    truth:
      "A queue trades errors for waiting, so it needs a bound: PgBouncer's query_wait_timeout fails a waiting client with 08P01, node-postgres' connectionTimeoutMillis rejects pool.connect(). And the pools together must still fit under max_connections.",
    by: { step: 'queue-timeout', claim: 'one client had the server connection' },
  },
  {
    id: 'pgbouncer-transparent',
    said: 'PgBouncer is transparent: put it in front of the database and nothing changes for the application',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'In transaction mode a server connection serves another client after each transaction: a SET stays behind for the next client (and is lost to the one that made it), and a session advisory lock outlives the client that took it. Use SET LOCAL, transaction-level locks, or session mode for such clients.',
    by: { step: 'session-state', claim: "client B, on A's server connection" },
  },
  {
    id: 'advisory-lock-released',
    said: 'A session advisory lock is released when the client disconnects',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Only when the server session ends. Behind a transaction-mode pooler the session is the pooled server connection, which stays: the lock is held by nobody the application knows.',
    by: { step: 'advisory-lock', claim: 'after client A disconnected from PgBouncer' },
  },
  {
    id: 'listen-through-pooler',
    said: 'LISTEN/NOTIFY works through PgBouncer like any other statement',
    source: 'lore',
    verdict: 'partly',
    truth:
      'In session mode, yes. In transaction mode LISTEN registers the server connection, which goes back to the pool when the transaction ends: a later NOTIFY arrives where no client is linked, PgBouncer drops it, and the next client of that connection listens without knowing. A listener needs a session-mode pool or a direct connection.',
    by: { step: 'listen', claim: 'in transaction mode a NOTIFY sent after' },
  },
  {
    id: 'prepared-pgbouncer',
    said: 'Prepared statements do not work with PgBouncer',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Before 1.21 a protocol-level named statement lives on one server connection: executing it again elsewhere gives 26000, preparing it again on that connection 42P05. Since 1.21 PgBouncer tracks them with max_prepared_statements (on by default since 1.24).',
    by: { step: 'prepared', claim: 'with PgBouncer' },
  },
];
