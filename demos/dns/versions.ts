// Facts of this topic that depend on the version of a part, each asserted by a step.

import { atLeast, type VersionFact } from '../kit/versions.ts';

/**
 * Linux 6.5 (commit ccce324dabfe, "tcp: make the first N SYN RTO backoffs linear") added
 * net.ipv4.tcp_syn_linear_timeouts (default 4): the first retransmissions come 1 s apart instead
 * of doubling, while the give-up time is still computed as if they doubled. So the same
 * tcp_syn_retries sends more SYNs in about the same time.
 */
export const synsBeforeTimeout: VersionFact = {
  id: 'syns-before-timeout',
  fact: 'SYNs sent before ETIMEDOUT with tcp_syn_retries = 1 (give-up after ~3 s either way)',
  part: 'linux',
  cases: [
    {
      when: '< 6.5',
      applies: (v) => !atLeast(v, '6.5'),
      value: '2',
      seen: 'cited: ip-sysctl.rst, doubling timeouts (SYNs at 0, 1 s); Linux 6.18 with tcp_syn_linear_timeouts = 0 sends 2',
    },
    {
      when: '≥ 6.5',
      applies: (v) => atLeast(v, '6.5'),
      value: '3',
      seen: 'Linux 6.18.44 (SYNs at 0, 1, 2 s)',
    },
  ],
};

export const versions: VersionFact[] = [synsBeforeTimeout];
