// What the seed notes and interview lore say about socket errors and name resolution.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'eaddrinuse-8080',
    said: '`Error: listen EADDRINUSE: address already in use :::8080` → another process is using the port, or a hostPort conflict.',
    source: 'seed 002:79',
    verdict: 'holds',
    truth:
      "Another socket holds the port; `:::8080` is Node's default dual-stack listener on `::`, which holds 127.0.0.1:8080 as well.",
    by: { step: 'in-use-reset-pipe', claim: 'a second listen(port) fails with EADDRINUSE' },
  },
  {
    id: 'refused-not-ready-or-name',
    said: '`connect ECONNREFUSED` → the database service is not ready, or the service name is wrong.',
    source: 'seed 002:94',
    verdict: 'partly',
    truth:
      'Not ready (nothing listening) is ECONNREFUSED; a wrong name never gets as far as a connection and fails with ENOTFOUND from getaddrinfo.',
    by: { step: 'ndots', claim: 'a wrong Service name fails before any connection' },
  },
  {
    id: 'missing-service-refused',
    said: 'The log line `ECONNREFUSED postgres-service:5432` means the Service `postgres-service` does not exist.',
    source: 'seed 002:198',
    verdict: 'wrong',
    truth:
      'A missing Service name is `getaddrinfo ENOTFOUND postgres-service`, after the search list made 8 questions; ECONNREFUSED needs an address that answered with a RST.',
    by: { step: 'ndots', claim: 'after 8 questions' },
  },
  {
    id: 'refused-nothing-listens',
    said: 'ECONNREFUSED means nothing is listening on that port.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "A firewall's `reject` (ICMP port unreachable) or `reject with tcp reset` gives the same ECONNREFUSED while a server listens behind it.",
    by: { step: 'refused', claim: "nft's plain `reject` (ICMP port unreachable) is ECONNREFUSED" },
  },
  {
    id: 'timeout-from-node',
    said: 'connect ETIMEDOUT means the server was too slow to answer; Node gave up.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Nothing answered the SYNs at all (a firewall dropped them); the kernel gives up after tcp_syn_retries, about 127 s by default (131 s since Linux 6.5), and Node has no connect timeout of its own.',
    by: { step: 'timeout', claim: 'a firewall that drops makes connect fail with ETIMEDOUT' },
  },
  {
    id: 'enotfound-dns-down',
    said: '`getaddrinfo ENOTFOUND` means DNS is down.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'ENOTFOUND means the resolver answered that the name does not exist; an unreachable or failing resolver gives EAI_AGAIN.',
    by: {
      step: 'lookup-resolve',
      claim: 'with no resolver reachable, getaddrinfo fails with EAI_AGAIN',
    },
  },
  {
    id: 'lookup-equals-resolve',
    said: 'dns.lookup and dns.resolve4 are two ways to ask DNS the same thing.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'dns.lookup is getaddrinfo (nsswitch: /etc/hosts first, the search list); dns.resolve4 sends the name as given to the DNS server, ignoring both.',
    by: { step: 'lookup-resolve', claim: 'dns.resolve4 ignores /etc/hosts' },
  },
  {
    id: 'record-change-immediate',
    said: 'Change a DNS record and clients see the new address at once.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'A caching resolver answers from its cache until the TTL runs out and never asks the authority meanwhile.',
    by: { step: 'caching', claim: 'a repeat within the TTL never reaches the authority' },
  },
  {
    id: 'nxdomain-not-cached',
    said: 'A name that does not exist is looked up again every time, so creating it fixes clients at once.',
    source: 'lore',
    verdict: 'wrong',
    truth: "NXDOMAIN is cached for the zone's SOA minimum (or the SOA TTL if lower), RFC 2308 §5.",
    by: { step: 'caching', claim: 'NXDOMAIN is cached too' },
  },
  {
    id: 'one-name-one-query',
    said: 'Resolving api.example.com from a pod is one DNS query.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      "With Kubernetes' ndots:5 and three search domains it is 8 questions (A and AAAA for 4 names); a trailing dot makes the name absolute.",
    by: { step: 'ndots', claim: 'ndots:5 makes api.example.com' },
  },
];
