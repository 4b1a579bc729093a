// What seed 002's second question ("a FastAPI API for 10K requests per second") and interview lore
// say about serving many requests, each decided by a step's claim or cited with the reason.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'single-toll-booth',
    said: 'A single-threaded app is one toll booth: at 10K requests per second the cars back up.',
    source: 'seed 002:353',
    verdict: 'partly',
    truth:
      'One uvicorn process is not one request at a time: `def` endpoints run 40 at once in its thread pool and awaiting `async def` endpoints overlap without limit; only blocking work serialises it.',
    by: { step: 'fastapi-loop', claim: 'a plain `def` endpoint is not one request at a time' },
  },
  {
    id: 'requests-blocks',
    said: '`requests.get(...)` in the handler BLOCKS: the wrong way.',
    source: 'seed 002:372',
    verdict: 'partly',
    truth:
      'A blocking call blocks the thread it runs on: inside `async def` that is the event loop, so requests are served one at a time; in a plain `def` endpoint FastAPI runs it in its thread pool.',
    by: {
      step: 'fastapi-loop',
      claim: '`async def` calling time.sleep serves one request at a time',
    },
  },
  {
    id: 'httpx-client-per-call',
    said: '`async with httpx.AsyncClient() as client:` in each call is the right, non-blocking way.',
    source: 'seed 002:377',
    verdict: 'wrong',
    truth:
      'Building an AsyncClient loads the CA bundle synchronously on the event loop (about 92 ms here, httpx 0.23), so a client per call stalls every request; make one client per process.',
    by: {
      cited: 'encode/httpx#838 and #3627; httpx docs "Clients"',
      why: 'measured by hand for the reference (20 calls: 1.96–2.5 s per-call clients, 0.28–0.47 s one shared client), not run by the demo',
    },
  },
  {
    id: 'await-releases',
    said: '`await` releases control while waiting.',
    source: 'seed 002:384',
    verdict: 'holds',
    truth:
      'While a handler awaits, the loop runs the others: 50 awaiting handlers were in flight at once on one thread.',
    by: {
      step: 'fastapi-loop',
      claim: '`async def` awaiting asyncio.sleep: all 50 in flight at once',
    },
  },
  {
    id: 'sync-one-at-a-time',
    said: 'Synchronous: 1 request at a time, 10 ms each = 100 req/s max, 10K req/s impossible.',
    source: 'seed 002:389',
    verdict: 'wrong',
    truth:
      "FastAPI runs a `def` endpoint in AnyIO's thread pool (40 threads by default): 40 blocking requests ran at once; one at a time is what a blocking call inside `async def` gives.",
    by: { step: 'fastapi-loop', claim: 'a plain `def` endpoint is not one request at a time' },
  },
  {
    id: 'async-100k',
    said: 'Asynchronous: 1000 concurrent requests × 10 ms each = 100K req/s possible.',
    source: 'seed 002:390',
    verdict: 'wrong',
    truth:
      "Little's law (X = L ÷ W) holds only with the latency measured under that load, and one Python process runs out of CPU long before: an empty handler stays in the low thousands per second at best.",
    by: { step: 'littles-law', claim: 'one worker serving an empty handler stays below' },
  },
  {
    id: 'db-pool',
    said: 'A pool (pool_size=20, max_overflow=10) reuses connections instead of opening one per request.',
    source: 'seed 002:397',
    verdict: 'holds',
    truth:
      "A pool keeps its connections open and hands them out in turn; a request beyond its size waits in the pool's queue (SQLAlchemy: up to max_overflow more, then pool_timeout, 30 s by default).",
    by: { step: 'pool', claim: 'the pool opened 4 connections and reused them' },
  },
  {
    id: 'pool-queue',
    said: 'Connection exhaustion is handled with connection pooling and queueing requests.',
    source: 'seed 002:739',
    verdict: 'holds',
    truth:
      "Requests beyond the pool size queue for a connection, and the wait is part of their latency: size the pool (and the database's max_connections) for the concurrency you need.",
    by: { step: 'pool', claim: '8 of 12 requests waited in the pool' },
  },
  {
    id: 'on-event-startup',
    said: '`@app.on_event("startup")` opens the Redis pool at startup.',
    source: 'seed 002:439',
    verdict: 'depends on version',
    truth:
      'It runs in FastAPI 0.92 (Debian 12), where `FastAPI(lifespan=…)` is silently ignored; newer FastAPI deprecates on_event in favour of lifespan.',
    by: {
      cited: 'fastapi/applications.py (0.92.0, and `@deprecated` on on_event in later releases)',
      why: "the demo's app opens its clients lazily and does not exercise lifecycle hooks",
    },
  },
  {
    id: 'aioredis-pool',
    said: '`await aioredis.create_redis_pool(url, minsize=5, maxsize=20)`.',
    source: 'seed 002:442',
    verdict: 'depends on version',
    truth:
      'That is aioredis 1.x (Debian 12 has 1.3.1); aioredis 2 dropped it and does not import on Python ≥ 3.11, and the project lives on as `redis.asyncio` in redis-py ≥ 4.2.',
    by: {
      cited: 'aio-libs-abandoned/aioredis-py#1409; redis-py docs "asyncio"',
      why: 'the demo uses redis.asyncio, the successor',
    },
  },
  {
    id: 'cache-fast',
    said: 'With a cache, repeated reads stop reaching the database.',
    source: 'seed 002:732',
    verdict: 'holds',
    truth: 'Cache-aside: the first read misses and fills the cache, the next nine are Redis hits.',
    by: { step: 'cache-aside', claim: '10 reads of one key: the backend is called once' },
  },
  {
    id: 'setex-300',
    said: '`setex(key, 300, …)` caches for 5 minutes.',
    source: 'seed 002:473',
    verdict: 'holds',
    truth: 'The key lives 300 s; after the TTL the next read misses and goes to the backend again.',
    by: { step: 'cache-aside', claim: 'SETEX 300 gave the key 300 s to live' },
  },
  {
    id: 'cache-protects-db',
    said: 'A cache in front of the database protects it from load.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'Until a hot key expires: every request that misses at that moment goes to the database (a stampede), unless a lock or coalescing lets one through.',
    by: {
      step: 'stampede',
      claim: 'without a fix, 20 requests on an expired key make 20 backend calls',
    },
  },
  {
    id: 'slowapi-limit',
    said: '`@limiter.limit("100/minute")` (slowapi) limits each IP to 100 requests a minute.',
    source: 'seed 002:490',
    verdict: 'partly',
    truth:
      'Per process with the default memory storage (W workers let W × 100 through), its fixed window lets up to twice the limit through across a boundary, and its 429 carries no Retry-After unless headers_enabled=True.',
    by: {
      cited:
        'laurentS/slowapi slowapi/extension.py (headers_enabled defaults to False); limits docs, "strategies"',
      why: 'slowapi is not packaged in Debian; the demo shows a token bucket with 429 and Retry-After',
    },
  },
  {
    id: 'no-rate-limit-ddos',
    said: "Missing rate limiting: the API gets DDoS'ed easily.",
    source: 'seed 002:731',
    verdict: 'partly',
    truth:
      'A per-client bucket turns the excess into cheap 429s with Retry-After, but the app still accepts and parses every request: a flood from many addresses must be stopped before it.',
    by: { step: 'rate-limit', claim: 'a bucket of 5 tokens (one back every 12 s)' },
  },
  {
    id: 'utcnow-log',
    said: 'The JSON log formatter stamps `datetime.utcnow().isoformat()`.',
    source: 'seed 002:511',
    verdict: 'depends on version',
    truth:
      'utcnow() returns a naive datetime (no offset in the string) and is deprecated since Python 3.12; use `datetime.now(timezone.utc)`.',
    by: {
      cited: 'Python docs, datetime.datetime.utcnow ("Deprecated since version 3.12")',
      why: "Debian 12's Python is 3.11, which does not warn",
    },
  },
  {
    id: 'metrics-endpoint',
    said: 'A /metrics endpoint with generate_latest() is what Prometheus scrapes.',
    source: 'seed 002:589',
    verdict: 'holds',
    truth:
      'Prometheus scraped both apps and its counter equals the requests sent; label by the route template, not the raw path, or every id becomes a series.',
    by: { step: 'metrics', claim: 'the counter Prometheus scraped is exactly the requests sent' },
  },
  {
    id: 'label-raw-path',
    said: 'Label the latency histogram with `endpoint=request.url.path`.',
    source: 'seed 002:575',
    verdict: 'partly',
    truth:
      'The raw path carries ids, so every id becomes its own counter and a set of histogram buckets; label by the route template (`/users/{id}`).',
    by: {
      cited: 'Prometheus docs, "Metric and label naming" (labels with high cardinality)',
      why: "the demo's apps label by route template; the reference measured 50 ids → 51 counters and 765 bucket series",
    },
  },
  {
    id: 'circuit-async',
    said: '`@circuit(failure_threshold=5, recovery_timeout=60)` on an `async def` stops calling a failing service.',
    source: 'seed 002:597',
    verdict: 'depends on version',
    truth:
      'circuitbreaker before 2.0 (Debian 12 has 1.4.0) wraps the call that only creates the coroutine: the failures happen after it returns, so the breaker never counts one and never opens.',
    by: { step: 'breaker', claim: 'with circuitbreaker ' },
  },
  {
    id: 'breaker-pattern',
    said: 'A circuit breaker stops calling a failing service and gives it time to recover.',
    source: 'seed 002:741',
    verdict: 'holds',
    truth:
      'It opens after K failures and fails fast, lets a trial call through after the cool-down (half-open), and closes when it succeeds.',
    by: { step: 'breaker', claim: 'the state sequence: closed → open' },
  },
  {
    id: 'one-error-crashes',
    said: 'Poor error handling: one error crashes the entire app.',
    source: 'seed 002:733',
    verdict: 'wrong',
    truth:
      "An unhandled exception in a handler becomes a 500 for that request (Starlette's ServerErrorMiddleware); the process goes on serving.",
    by: { step: 'breaker', claim: 'an unhandled exception answers that one request with 500' },
  },
  {
    id: 'readiness-deps',
    said: '/ready returns 503 when the database or Redis is unavailable.',
    source: 'seed 002:635',
    verdict: 'partly',
    truth:
      'Kubernetes then takes the pod out of its Services; when the shared database or Redis fails, every pod fails readiness at once and the service has no endpoints left to even answer with an error.',
    by: {
      cited: 'kubernetes/website pod-lifecycle.md ("Container probes", readinessProbe)',
      why: 'no kubelet on this machine',
    },
  },
  {
    id: 'worker-1000-concurrent',
    said: 'Each worker handles ~1000 concurrent requests (async).',
    source: 'seed 002:683',
    verdict: 'partly',
    truth:
      'Holding many awaiting requests is cheap (50 at once on one thread here), but serving them is CPU work in one process; concurrency is not throughput.',
    by: { step: 'fastapi-loop', claim: '…on one thread' },
  },
  {
    id: 'throughput-240k',
    said: 'Throughput: 12,000 concurrent ÷ 0.05 s = 240,000 req/s theoretical.',
    source: 'seed 002:686',
    verdict: 'wrong',
    truth:
      "Little's law needs the latency measured at that concurrency, and it grows once the process is busy: X × W equalled C at each level measured, with W above the handler's own time.",
    by: { step: 'littles-law', claim: 'at concurrency 20, the measured latency exceeds' },
  },
  {
    id: 'real-world-100k',
    said: 'Real world: ~100K req/s from 12 workers.',
    source: 'seed 002:687',
    verdict: 'wrong',
    truth:
      'That is 8,300 req/s per Python worker, with a database and a Redis call each; one uvicorn worker stays below it even for an empty handler.',
    by: { step: 'littles-law', claim: 'one worker serving an empty handler stays below' },
  },
  {
    id: 'target-easy',
    said: 'Target 10K req/s = easily achievable (3 pods × 4 workers).',
    source: 'seed 002:688',
    verdict: 'partly',
    truth:
      'It asks about 830 req/s of each worker: within reach for light handlers on a quiet core, but it is a number to measure (load with the real handler), not to derive.',
    by: {
      cited: "Little's law, L = λW",
      why: 'throughput depends on the hardware and the handler; on this shared machine the demo shows measured figures, not a limit',
    },
  },
  {
    id: 'availability',
    said: '99.9 % uptime is 8.76 hours of downtime a year; 99.97 % is about 2.6 hours.',
    source: 'seed 002:707',
    verdict: 'holds',
    truth: '0.1 % of 8,760 h is 8.76 h; 0.03 % is 2.63 h.',
    by: { cited: 'arithmetic', why: 'nothing to run' },
  },
  {
    id: 'requests-vs-httpx',
    said: 'Using `requests` instead of `httpx` blocks the thread.',
    source: 'seed 002:729',
    verdict: 'partly',
    truth:
      'It blocks its thread, which harms only inside `async def`; in a `def` endpoint the thread pool serves others meanwhile.',
    by: { step: 'fastapi-loop', claim: 'a plain `def` endpoint is not one request at a time' },
  },
  {
    id: 'no-pool-slow',
    said: 'No connection pooling: a new database connection per request is slow.',
    source: 'seed 002:730',
    verdict: 'holds',
    truth:
      'A new PostgreSQL connection is a TCP (and often TLS) handshake, authentication and a new backend process; a pool pays that once.',
    by: {
      cited: 'PostgreSQL docs, "Connections and Authentication"',
      why: 'the pooling topic measures it',
    },
  },
  {
    id: 'async-vs-threads',
    said: 'Async = single thread, cooperative multitasking; threading = OS-managed, preemptive.',
    source: 'seed 002:738',
    verdict: 'holds',
    truth:
      "Awaiting handlers ran on the loop's one thread, `def` handlers on 40 OS threads; in CPython the GIL still lets only one thread run Python code at a time.",
    by: { step: 'fastapi-loop', claim: 'the `def` requests ran on 40 threads' },
  },
  {
    id: 'redis-vs-local',
    said: 'Redis = distributed/shared, local cache = single instance.',
    source: 'seed 002:740',
    verdict: 'holds',
    truth:
      'What lives in one process (a local cache, request coalescing) is per process, W workers × P pods of it; a Redis lock or value is one for all of them.',
    by: { step: 'stampede', claim: 'with a Redis lock (SET NX PX), one backend call' },
  },
];
