import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { containedStep } from './steps-contained.ts';
import { icmpStep } from './steps-icmp.ts';
import { linkLocalStep } from './steps-linklocal.ts';
import { pmtudStep } from './steps-pmtu.ts';

export const demo = defineDemo({
  id: 'packets',
  title: 'ICMP, path MTU and link-local addresses',
  summary:
    'Four network namespaces chained by veth pairs (client, two routers, server) with a 1400-byte ' +
    'link in the middle: echo, time exceeded and traceroute, the PMTUD black hole and its fixes, ' +
    'and what routers do with link-local sources.',
  needs: ['network-namespaces', 'nftables', 'traceroute', 'ping'],
  setup: openEnv,
  steps: [icmpStep, pmtudStep, linkLocalStep, containedStep],
  teardown: closeEnv,
  ledger,
});
