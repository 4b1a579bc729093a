import { atLeast, type VersionFact } from '../kit/versions.ts';

/** nginx 1.29.6 (2026-03-10) brought NGINX Plus's `sticky` to open-source nginx. */
export const NGINX_STICKY: VersionFact = {
  id: 'nginx-sticky',
  fact: '`nginx -t` with `sticky cookie srv_id expires=1h` in an upstream',
  part: 'nginx',
  cases: [
    {
      when: 'nginx < 1.29.6',
      applies: (v) => !atLeast(v, '1.29.6'),
      value: 'rejected: unknown directive "sticky" (NGINX Plus only)',
      seen: 'nginx 1.22.1',
    },
    {
      when: 'nginx ≥ 1.29.6',
      applies: (v) => atLeast(v, '1.29.6'),
      value: 'accepted',
      seen: 'not run here (nginx CHANGES 1.29.6: "the "sticky" directive in the "upstream" block")',
    },
  ],
};

/**
 * nginx 1.29.7 (2026-03-24) turned upstream keep-alive on by default: `keepalive 32 local` in
 * every upstream, `proxy_http_version 1.1`, and no `Connection: close` sent.
 */
export const UPSTREAM_DEFAULT: VersionFact = {
  id: 'nginx-upstream-default',
  fact: '100 proxied requests over one client connection, upstream with no `keepalive` line',
  part: 'nginx',
  cases: [
    {
      when: 'nginx < 1.29.7',
      applies: (v) => !atLeast(v, '1.29.7'),
      value: '100 upstream connections, HTTP/1.0, Connection: close',
      seen: 'nginx 1.22.1',
    },
    {
      when: 'nginx ≥ 1.29.7',
      applies: (v) => atLeast(v, '1.29.7'),
      value: '1 upstream connection, HTTP/1.1, Connection: (none)',
      seen: 'not run here (nginx CHANGES 1.29.7: "keepalive … enabled by default", "proxy_http_version" 1.1)',
    },
  ],
};

/** `keepalive 8` without `proxy_http_version 1.1`: nothing before 1.29.7, whose default is 1.1. */
export const KEEPALIVE_ALONE: VersionFact = {
  id: 'nginx-keepalive-alone',
  fact: 'the same with `keepalive 8` in the upstream and nothing in the location',
  part: 'nginx',
  cases: [
    {
      when: 'nginx < 1.29.7',
      applies: (v) => !atLeast(v, '1.29.7'),
      value: '100 upstream connections, HTTP/1.0, Connection: close',
      seen: 'nginx 1.22.1',
    },
    {
      when: 'nginx ≥ 1.29.7',
      applies: (v) => atLeast(v, '1.29.7'),
      value: '1 upstream connection, HTTP/1.1, Connection: (none)',
      seen: 'not run here (nginx CHANGES 1.29.7)',
    },
  ],
};

export const versions: VersionFact[] = [NGINX_STICKY, UPSTREAM_DEFAULT, KEEPALIVE_ALONE];
