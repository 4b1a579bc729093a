// nginx's balancing algorithms, written out from its source so a step can predict each pick and
// compare with what nginx really did (src/http/ngx_http_upstream_round_robin.c,
// ngx_http_upstream_ip_hash_module.c, ngx_http_upstream_hash_module.c, nginx 1.22).

import { crc32 } from 'node:zlib';

/**
 * Smooth weighted round robin (nginx commit 52327e0): every pick adds each server's weight to
 * its current weight, takes the highest (the first on a tie) and subtracts the total from it.
 * Returns the index picked for each of `n` requests.
 */
export function smoothRoundRobin(weights: number[], n: number): number[] {
  const current = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  const picks: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (const [j, w] of weights.entries()) {
      current[j] = (current[j] ?? 0) + w;
      if ((current[j] ?? 0) > (current[best] ?? 0)) best = j;
    }
    current[best] = (current[best] ?? 0) - total;
    picks.push(best);
  }
  return picks;
}

/**
 * ip_hash's first pick among `servers` of weight 1: the hash runs over the first THREE octets
 * of an IPv4 address only (`hash = (hash * 113 + octet) % 6271`, starting at 89).
 */
export function ipHashPick(ip: string, servers: number): number {
  let hash = 89;
  for (const octet of ip.split('.').slice(0, 3).map(Number)) hash = (hash * 113 + octet) % 6271;
  return hash % servers;
}

/**
 * `hash $key` without `consistent`: ((crc32(key) >> 16) & 0x7fff) modulo the number of servers
 * (weight 1 each), the Cache::Memcached formula. Adding a server changes the modulus.
 */
export function moduloHashPick(key: string, servers: number): number {
  return ((crc32(key) >>> 16) & 0x7fff) % servers;
}
