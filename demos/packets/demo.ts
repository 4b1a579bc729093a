import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { containedStep } from './steps-contained.ts';
import { icmpStep } from './steps-icmp.ts';
import { linkLocalStep } from './steps-linklocal.ts';
import { pmtudStep } from './steps-pmtu.ts';
import { bgpStep, ospfStep } from './steps-routing.ts';
import { versions } from './versions.ts';

export const demo = defineDemo({
  id: 'packets',
  title: 'ICMP, path MTU, link-local addresses and routing',
  summary:
    'Four network namespaces chained by veth pairs (client, two routers, server) with a 1400-byte ' +
    'link in the middle: echo, time exceeded and traceroute, the PMTUD black hole and its fixes, ' +
    'and what routers do with link-local sources; then OSPF and BGP on FRR, each in a triangle of ' +
    'three routers, and how long each takes to route around a failed link.',
  needs: ['network-namespaces', 'nftables', 'traceroute', 'ping'],
  setup: openEnv,
  steps: [icmpStep, pmtudStep, linkLocalStep, ospfStep, bgpStep, containedStep],
  teardown: closeEnv,
  ledger,
  versions,
});
