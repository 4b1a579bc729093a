// Facts of this topic that depend on the version of a part, each asserted by a step.

import { atLeast, type VersionFact } from '../kit/versions.ts';

/**
 * RFC 8212: an eBGP speaker must not accept or announce routes on a session without a policy.
 * FRR's `bgp ebgp-requires-policy` does it; bgpd/bgp_vty.c declares its default with
 * FRR_CFG_DEFAULT_BOOL(BGP_EBGP_REQUIRES_POLICY): false for `frr defaults datacenter`, false for
 * configurations written by a version < 7.4, true otherwise (FRR 7.4 and later, `traditional`).
 */
export const ebgpRequiresPolicy: VersionFact = {
  id: 'ebgp-requires-policy',
  fact: 'what an Established eBGP session carries before a route-map is applied',
  part: 'frr',
  cases: [
    {
      when: '< 7.4',
      applies: (v) => !atLeast(v, '7.4'),
      value: 'every route: no (Policy) state',
      seen: 'cited: FRR 7.4 bgpd/bgp_vty.c, BGP_EBGP_REQUIRES_POLICY false for match_version < 7.4',
    },
    {
      when: '≥ 7.4 (traditional defaults)',
      applies: (v) => atLeast(v, '7.4'),
      value: 'none: (Policy)',
      seen: 'FRR 8.4.4 (Debian 12)',
    },
  ],
};

export const versions: VersionFact[] = [ebgpRequiresPolicy];
