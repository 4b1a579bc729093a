// What depends on the version here: how many namespace types the kernel has (namespaces(7):
// cgroup since 4.6, time since 5.6), and which cgroup files hold a memory or CPU limit and its
// counters: cgroup v1 (Documentation/admin-guide/cgroup-v1/memory.rst, sched-bwc.rst) or v2
// (Documentation/admin-guide/cgroup-v2.rst "Memory", "CPU"). The cgroup cases are decided by the
// hierarchy the controller is mounted on, not the kernel version: one kernel can run either.

import { atLeast, type VersionFact } from '../kit/versions.ts';

const HERE = 'Linux 6.18.44 (Debian 12, hybrid: memory, cpu, pids on v1)';
const V2_CITED = 'not on this machine (memory is bound to v1); cgroup-v2.rst';

export const namespaceCount: VersionFact = {
  id: 'namespace-types',
  fact: 'namespace types in /proc/self/ns',
  part: 'linux',
  cases: [
    {
      when: 'Linux 3.8 – 4.5',
      applies: (v) => atLeast(v, '3.8') && !atLeast(v, '4.6'),
      value: '6: ipc mnt net pid user uts',
      seen: 'namespaces(7); not run here',
    },
    {
      when: 'Linux 4.6 – 5.5',
      applies: (v) => atLeast(v, '4.6') && !atLeast(v, '5.6'),
      value: '7: cgroup ipc mnt net pid user uts',
      seen: 'namespaces(7); not run here',
    },
    {
      when: 'Linux ≥ 5.6',
      applies: (v) => atLeast(v, '5.6'),
      value: '8: cgroup ipc mnt net pid time user uts',
      seen: 'Linux 6.18.44',
    },
  ],
};

export const memoryFiles: VersionFact = {
  id: 'memory-files',
  fact: 'memory limit; usage peak; OOM kill counter',
  part: 'cgroup memory',
  cases: [
    {
      when: 'cgroup v1',
      applies: (v) => v === 'v1',
      value: 'memory.limit_in_bytes; memory.max_usage_in_bytes; memory.oom_control oom_kill',
      seen: HERE,
    },
    {
      when: 'cgroup v2',
      applies: (v) => v === 'v2',
      value: 'memory.max; memory.peak; memory.events oom_kill',
      seen: V2_CITED,
    },
  ],
};

export const cpuFiles: VersionFact = {
  id: 'cpu-files',
  fact: 'CPU quota; throttle counter; CPU time used',
  part: 'cgroup cpu',
  cases: [
    {
      when: 'cgroup v1',
      applies: (v) => v === 'v1',
      value: 'cpu.cfs_quota_us + cpu.cfs_period_us; cpu.stat nr_throttled; cpuacct.usage (ns)',
      seen: HERE,
    },
    {
      when: 'cgroup v2',
      applies: (v) => v === 'v2',
      value: 'cpu.max (quota and period); cpu.stat nr_throttled; cpu.stat usage_usec',
      seen: V2_CITED,
    },
  ],
};

export const versions: VersionFact[] = [namespaceCount, memoryFiles, cpuFiles];
