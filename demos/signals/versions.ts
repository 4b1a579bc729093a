import { atLeast, type VersionFact } from '../kit/versions.ts';

/**
 * How long an idle keep-alive connection, left open by `server.close()`, holds a Node process:
 * `keepAliveTimeout`, plus the 1 s `keepAliveTimeoutBuffer` the socket timeout adds
 * (lib/_http_server.js). nodejs/node#62782 (semver-major, merged April 2026) raises it to 65 s.
 */
export const KEEP_ALIVE_TIMEOUT: VersionFact = {
  id: 'node-keep-alive-timeout',
  fact: "`http.Server`'s default `keepAliveTimeout`",
  part: 'node',
  cases: [
    {
      when: 'Node ≤ 26',
      applies: (v) => !atLeast(v, '27'),
      value: '5000 ms',
      seen: 'Node 20.20.2, 22.23.5, 24.22.3, 26.12.1',
    },
    {
      when: 'Node ≥ 27',
      applies: (v) => atLeast(v, '27'),
      value: '65000 ms',
      seen: 'not released yet (nodejs/node#62782, semver-major)',
    },
  ],
};

export const versions: VersionFact[] = [KEEP_ALIVE_TIMEOUT];
