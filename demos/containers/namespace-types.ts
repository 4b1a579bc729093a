// The eight namespace types, their unshare(1) flags and the Linux release that completed each
// (namespaces(7) "Namespace types"; user_namespaces(7): usable since 3.8).

export interface NamespaceType {
  /** Its name in /proc/<pid>/ns. */
  proc: string;
  flag: string;
  /** The clone flag (namespaces(7)). */
  clone: string;
  since: string;
  isolates: string;
}

export const NAMESPACE_TYPES: NamespaceType[] = [
  { proc: 'mnt', flag: '--mount', clone: 'CLONE_NEWNS', since: '2.4.19', isolates: 'mount points' },
  {
    proc: 'uts',
    flag: '--uts',
    clone: 'CLONE_NEWUTS',
    since: '2.6.19',
    isolates: 'hostname, NIS domain',
  },
  {
    proc: 'ipc',
    flag: '--ipc',
    clone: 'CLONE_NEWIPC',
    since: '2.6.19',
    isolates: 'System V IPC, POSIX queues',
  },
  { proc: 'pid', flag: '--pid', clone: 'CLONE_NEWPID', since: '2.6.24', isolates: 'process IDs' },
  {
    proc: 'net',
    flag: '--net',
    clone: 'CLONE_NEWNET',
    since: '2.6.29',
    isolates: 'interfaces, routes, ports, firewall',
  },
  {
    proc: 'user',
    flag: '--user',
    clone: 'CLONE_NEWUSER',
    since: '3.8',
    isolates: 'user and group IDs, capabilities',
  },
  {
    proc: 'cgroup',
    flag: '--cgroup',
    clone: 'CLONE_NEWCGROUP',
    since: '4.6',
    isolates: 'the cgroup root it sees',
  },
  {
    proc: 'time',
    flag: '--time',
    clone: 'CLONE_NEWTIME',
    since: '5.6',
    isolates: 'boot-time and monotonic clocks',
  },
];
