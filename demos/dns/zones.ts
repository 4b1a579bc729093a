// The names the demo's own DNS serves, as zone files for the authoritative server (knot). Every
// address is in 198.18.0.0/15 (RFC 2544's benchmarking range), and nothing routes to it: the
// answers are only read, never connected to, except where a step says so.

/** A zone's SOA MINIMUM: how long a resolver may cache "no such name" (RFC 2308 §5). */
export const NEGATIVE_TTL = 2;
/** The TTL of `short.cluster.local`, short enough to watch it expire. */
export const SHORT_TTL = 2;

/** What the zones answer, for the steps' expectations. */
export const ANSWERS = {
  short: { name: 'short.cluster.local', address: '198.18.0.5' },
  /** In DNS with this address, and in the namespace's /etc/hosts with another. */
  db: { name: 'db.cluster.local', dns: '198.18.0.7', hosts: '198.18.7.7' },
  /** Kubernetes' shape: `<service>.<namespace>.svc.cluster.local`. */
  service: { name: 'api.ns1.svc.cluster.local', address: '198.18.0.10' },
  external: { name: 'api.example.com', address: '198.18.0.20' },
} as const;

/** The resolv.conf search list of a pod in namespace `ns1` (Kubernetes' ClusterFirst policy). */
export const SEARCH = ['ns1.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

function soa(origin: string): string {
  // The root's own server names live under a made-up `root.` (no glue is needed: nobody asks).
  const under = origin === '.' ? 'root.' : origin;
  // SOA TTL 300, MINIMUM NEGATIVE_TTL: the negative TTL is the smaller of the two (RFC 2308 §5).
  return [
    `$ORIGIN ${origin}`,
    `@ 300 SOA ns.${under} hostmaster.${under} 1 3600 600 86400 ${NEGATIVE_TTL}`,
    `@ 300 NS ns.${under}`,
  ].join('\n');
}

/** Zone file text by zone name; the root zone makes every unknown name an NXDOMAIN. */
export function zoneFiles(): Record<string, string> {
  return {
    'cluster.local': [
      soa('cluster.local.'),
      'ns 300 A 198.18.0.53',
      `short ${SHORT_TTL} A ${ANSWERS.short.address}`,
      `db 300 A ${ANSWERS.db.dns}`,
      `api.ns1.svc 300 A ${ANSWERS.service.address}`,
    ].join('\n'),
    'example.com': [
      soa('example.com.'),
      'ns 300 A 198.18.0.53',
      `api 300 A ${ANSWERS.external.address}`,
    ].join('\n'),
    // Only the apex: no delegations, so any name outside the zones above does not exist.
    '.': soa('.'),
  };
}
