// What the serving demo measures differently on different versions: whether the circuitbreaker
// package's decorator sees an `async def`'s failures (Debian 12 ships 1.4.0).

import { atLeast, type VersionFact } from '../kit/versions.ts';

export const asyncBreakerFact: VersionFact = {
  id: 'circuitbreaker-async',
  fact: '`@circuit(failure_threshold=5)` on an `async def`, after 8 failing calls',
  part: 'circuitbreaker',
  cases: [
    {
      when: '< 2.0 (no async support)',
      applies: (v) => !atLeast(v, '2'),
      value: 'closed, failure_count 0',
      seen: 'circuitbreaker 1.4.0 (Debian 12, Python 3.11.2)',
    },
  ],
};

export const versions = [asyncBreakerFact];
