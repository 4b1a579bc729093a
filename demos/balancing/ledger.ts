// What people say about load balancing: the seed's list (seed 000, "Алгоритмы балансировки",
// lines 103-109) line by line, and interview lore, each decided by a step's claim.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'algorithms-list',
    said: 'The load-balancing algorithms are round robin, weighted round robin, IP hash, sticky session and least connections',
    source: 'seed 000:103-109',
    verdict: 'partly',
    truth:
      'All five exist, but sticky session is persistence layered over an algorithm, and the list misses consistent hashing (`hash … consistent`), hashing on any key (`hash`, `uri`), `first`, `random two`, backup servers and health checks.',
    by: { step: 'consistent-hash', claim: 'with `consistent`, every key that moved went' },
  },
  {
    id: 'round-robin',
    said: 'Round robin',
    source: 'seed 000:105',
    verdict: 'holds',
    truth:
      "nginx's default and HAProxy's `balance roundrobin` take the servers in turn; with one process the counts are exact, whatever the servers' load.",
    by: { step: 'least-conn', claim: 'round robin sends every third request' },
  },
  {
    id: 'weighted-round-robin',
    said: 'Round robin with weights for upstreams',
    source: 'seed 000:106',
    verdict: 'holds',
    truth:
      'Weights 3:1:1 give exactly 300/100/100 of 500, in a fixed cycle of 5; nginx interleaves it (b1 b2 b1 b3 b1), HAProxy orders it differently.',
    by: { step: 'round-robin', claim: 'nginx splits 500 requests exactly 300/100/100' },
  },
  {
    id: 'ip-hash',
    said: 'IP hash',
    source: 'seed 000:107',
    verdict: 'partly',
    truth:
      "nginx's `ip_hash` hashes only the first three octets of an IPv4 address, so a whole /24 (an office, a NAT, a mobile carrier's pool) lands on one backend; HAProxy's `balance source` hashes the whole address.",
    by: { step: 'ip-hash', claim: 'nginx ip_hash puts all 40 clients of 127.0.0.0/24' },
  },
  {
    id: 'sticky-session',
    said: 'Sticky session',
    source: 'seed 000:108',
    verdict: 'partly',
    truth:
      'It is persistence, not an algorithm: HAProxy routes by the cookie while that server is up, balances normally otherwise, and re-pins the client when its server goes down (its in-memory session is lost); open-source nginx has `sticky` only since 1.29.6.',
    by: { step: 'sticky-cookie', claim: 'a request still carrying SRV=' },
  },
  {
    id: 'least-connections',
    said: 'Least connections',
    source: 'seed 000:109',
    verdict: 'holds',
    truth:
      'nginx `least_conn` and HAProxy `leastconn` send a new request to the server with the fewest active connections: a backend holding its requests gets 1 of 30 instead of 10.',
    by: { step: 'least-conn', claim: 'least connections sends it exactly one' },
  },
  {
    id: 'round-robin-even-load',
    said: 'Round robin spreads the load evenly',
    source: 'lore',
    verdict: 'partly',
    truth:
      'It spreads the requests evenly, not the load: a slow backend keeps receiving its share while its queue grows.',
    by: { step: 'least-conn', claim: 'round robin sends every third request' },
  },
  {
    id: 'workers-exact',
    said: "nginx's round robin is exact however many workers it runs",
    source: 'lore',
    verdict: 'partly',
    truth:
      'Without a shared `zone`, each worker keeps its own position and counters, so the totals are the sum of separate cycles; with `zone` they share one.',
    by: { step: 'workers-zone', claim: 'without a zone, every worker runs its own cycle' },
  },
  {
    id: 'ip-hash-full-address',
    said: 'ip_hash hashes the client’s full IP address',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'For IPv4 it hashes the first three octets only (the whole address for IPv6); its formula predicts every placement measured.',
    by: { step: 'ip-hash', claim: "nginx's formula over the first three octets" },
  },
  {
    id: 'hash-one-nth',
    said: 'With hash balancing, adding a server remaps only 1/N of the keys',
    source: 'lore',
    verdict: 'partly',
    truth:
      'Only with consistent hashing (`hash … consistent`, ketama); a plain `hash` is a modulo, and going from 3 to 4 servers moves about 3/4 of the keys.',
    by: { step: 'consistent-hash', claim: 'without it, most keys moved' },
  },
  {
    id: 'nginx-sticky',
    said: 'nginx supports sticky sessions with the `sticky` directive',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Only since nginx 1.29.6 (2026-03-10); before, `sticky` was NGINX Plus only and open-source nginx rejects it (here, 1.22.1), offering `hash $cookie_<name> consistent` (the application sets the cookie) or `ip_hash`.',
    by: { step: 'nginx-sticky', claim: '`nginx -t` on `sticky cookie …`' },
  },
  {
    id: 'sticky-survives-failure',
    said: 'A sticky session keeps the user on the same server, even when it fails',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'When the server is down HAProxy ignores the cookie, picks another server and sets a new cookie; whatever the old server held in memory is gone.',
    by: { step: 'sticky-cookie', claim: 'and its response re-pins the client there' },
  },
  {
    id: 'nginx-active-checks',
    said: 'nginx checks its upstreams’ health in the background',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Open-source nginx only counts failures of real requests (`max_fails`/`fail_timeout`); `health_check` is NGINX Plus. HAProxy `check` probes on its own.',
    by: { step: 'active-health', claim: 'open-source nginx has no active checks' },
  },
  {
    id: 'passive-no-user-impact',
    said: 'A dead backend is taken out of rotation before users hit it',
    source: 'lore',
    verdict: 'partly',
    truth:
      'With passive checks a real request must fail first (one per worker without a `zone`); a refused connect sent nothing, so nginx passes any method on to the next server, slower but answered. Only active checks (HAProxy `check`) find it first.',
    by: {
      step: 'workers-max-fails',
      claim: 'without a zone, the dead server was tried once by each',
    },
  },
  {
    id: 'retries-everything',
    said: 'The balancer retries a failed request on another backend',
    source: 'lore',
    verdict: 'partly',
    truth:
      'nginx retries a GET or PUT that failed on the next upstream, but not a POST (or PATCH, LOCK) once it was sent: the client gets 502 unless `non_idempotent` is set.',
    by: { step: 'retries', claim: 'the POST gets 502' },
  },
  {
    id: 'retries-bounded',
    said: 'nginx keeps retrying until some backend answers',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Each server is tried at most once per request, and `proxy_next_upstream_tries` (and `_timeout`) bound it further; then the client gets the last failure: 502 for errors and resets (504 if the last try timed out).',
    by: { step: 'retry-tries', claim: 'by default (tries 0) nginx tries every server once' },
  },
  {
    id: 'keepalive-directive',
    said: '`keepalive N` in the upstream block turns on keep-alive to the backends',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Before nginx 1.29.7 alone it changes nothing (here, 1.22.1): nginx still proxies with HTTP/1.0 and `Connection: close`, and also needs `proxy_http_version 1.1` and `proxy_set_header Connection ""`. Since 1.29.7 upstream keep-alive (`keepalive 32 local`, HTTP/1.1) is the default, with or without the line.',
    by: { step: 'keepalive', claim: '`keepalive 8` alone (' },
  },
];
