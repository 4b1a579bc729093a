import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { cpuPidsStep, oomStep } from './steps-cgroups.ts';
import { byHandStep } from './steps-container.ts';
import { environStep, exitCodesStep } from './steps-exit.ts';
import { netnsStep, typesStep } from './steps-namespaces.ts';
import { versions } from './versions.ts';

export const demo = defineDemo({
  id: 'containers',
  title: 'A container from kernel parts: namespaces, cgroups, the OOM killer and exit codes',
  summary:
    'No Docker: unshare, ip netns, veth pairs, pivot_root and the cgroup files, on this kernel. ' +
    'Every namespace, cgroup, mount and process a step makes is removed when it ends.',
  needs: ['root'],
  setup: openEnv,
  steps: [typesStep, netnsStep, byHandStep, oomStep, cpuPidsStep, exitCodesStep, environStep],
  teardown: closeEnv,
  ledger,
  versions,
});
