import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { heldSpaceStep, inodesStep } from './steps-disk.ts';
import { loadDstateStep, loadThreadsStep } from './steps-load.ts';
import { packetsStep } from './steps-packets.ts';
import { portsStep } from './steps-ports.ts';
import { procStep } from './steps-proc.ts';
import { straceAttachStep, straceVdsoStep } from './steps-strace.ts';
import { firstMinuteStep } from './steps-triage.ts';

export const demo = defineDemo({
  id: 'debugging',
  title: 'Looking around a Linux box: strace, /proc, ports, disk, load, packets',
  summary:
    'The tools for a machine you have never seen, each run against processes and problems the ' +
    'demo stages itself: strace, ss and lsof, /proc, df, the load average and PSI, tcpdump and tshark.',
  needs: [],
  setup: openEnv,
  steps: [
    straceAttachStep,
    straceVdsoStep,
    portsStep,
    procStep,
    heldSpaceStep,
    inodesStep,
    loadThreadsStep,
    loadDstateStep,
    packetsStep,
    firstMinuteStep,
  ],
  teardown: closeEnv,
  ledger,
});
