// The needs of the topics that work on the machine itself: the tools they run (strace, tcpdump,
// nft, knot…) and the kernel privileges they use (root, namespaces, cgroups, loop devices). Part
// of the one registry: endpoints.ts spreads these into SERVICES.

import { service } from './need-record.ts';
import { binary, commandOnPath, executable } from './probes.ts';
import {
  cgroupProbe,
  loopProbe,
  namespacesProbe,
  netnsProbe,
  rootProbe,
} from './sandbox-probes.ts';

/** Where Debian (and Fedora) put FRR's daemons: not on PATH. */
export const FRR_LIB = '/usr/lib/frr';
/** The daemons a routing step starts: zebra (the kernel's routes), ospfd and bgpd. */
const FRR_DAEMONS = ['zebra', 'ospfd', 'bgpd'] as const;

export const SYSTEM_NEEDS = {
  /** The debugging topic's tools: strace, lsof, tcpdump, tshark, sysstat (iostat, pidstat). */
  strace: service({
    apt: ['strace'],
    other: { brew: [] },
    env: {},
    probe: () => binary('strace', /strace -- version \d/, '-V'),
  }),
  lsof: service({
    apt: ['lsof'],
    env: {},
    probe: () => binary('lsof', /revision: \d/, '-v'),
  }),
  tcpdump: service({
    apt: ['tcpdump'],
    env: {},
    probe: () => binary('tcpdump', /tcpdump version \d/, '--version'),
  }),
  tshark: service({
    apt: ['tshark'],
    other: { dnf: ['wireshark-cli'], brew: ['wireshark'] },
    env: {},
    // `tshark --version` loads every dissector: seconds on a busy machine, past a probe's budget.
    probe: () => commandOnPath('tshark'),
  }),
  sysstat: service({
    apt: ['sysstat'],
    other: { brew: [] },
    env: {},
    probe: () => binary('iostat', /sysstat version \d/, '-V'),
  }),
  /** Debian's Python, not a pyenv shim on PATH: the strace steps trace the interpreter itself. */
  python3: service({
    apt: ['python3'],
    env: {},
    probe: async () => {
      const file = '/usr/bin/python3';
      const ok = executable(file);
      return { ok, address: file, problem: ok ? undefined : `no executable at ${file}` };
    },
  }),
  openssl: service({
    apt: ['openssl'],
    env: {},
    probe: () => commandOnPath('openssl'),
  }),
  // Kernel parts (kit/sandbox.ts): privileges, probed by trying the real thing.
  /** iproute2's `ip` (Linux only: nothing to get on macOS). */
  iproute2: service({
    apt: ['iproute2'],
    other: { brew: [] },
    env: {},
    probe: () => commandOnPath('ip'),
  }),
  /** losetup (util-linux's mount package on Debian) and mkfs.ext4 (e2fsprogs). */
  'loop-tools': service({
    apt: ['mount', 'e2fsprogs'],
    other: { dnf: ['util-linux', 'e2fsprogs'], brew: [] },
    env: {},
    probe: async () => {
      const [losetup, mkfs] = await Promise.all([
        commandOnPath('losetup'),
        commandOnPath('mkfs.ext4'),
      ]);
      return losetup.ok ? mkfs : losetup;
    },
  }),
  root: service({
    hint: 'run it as root (sudo): it makes namespaces, cgroups and mounts',
    env: {},
    probe: rootProbe,
  }),
  /** A namespace of each of the eight types, with util-linux `unshare`. */
  namespaces: service({
    hint: 'run as root (unshare needs CAP_SYS_ADMIN)',
    after: ['unshare'],
    env: {},
    probe: namespacesProbe,
  }),
  /** Named network namespaces and veth pairs, with iproute2 `ip netns`. */
  'network-namespaces': service({
    hint: 'run as root (ip netns needs CAP_SYS_ADMIN and CAP_NET_ADMIN)',
    after: ['iproute2'],
    env: {},
    probe: netnsProbe,
  }),
  /**
   * FRR's routing daemons (zebra, ospfd, bgpd) and vtysh, which the packets demo runs inside its
   * own namespaces as the `frr` user the package creates. Linux only: no package on macOS.
   */
  frr: service({
    apt: ['frr'],
    other: { brew: [] },
    after: ['network-namespaces'],
    env: {},
    probe: async () => {
      const files = [...FRR_DAEMONS.map((d) => `${FRR_LIB}/${d}`), '/usr/bin/vtysh'];
      const missing = files.filter((f) => !executable(f));
      return {
        ok: missing.length === 0,
        address: FRR_LIB,
        problem: missing.length ? `no executable ${missing.join(', ')}` : undefined,
      };
    },
  }),
  'cgroup-memory': service({
    hint: 'run as root on a kernel with the memory cgroup controller mounted (v1 or v2)',
    env: {},
    probe: () => cgroupProbe('memory'),
  }),
  'cgroup-cpu': service({
    hint: 'run as root on a kernel with the cpu cgroup controller mounted (v1 or v2)',
    env: {},
    probe: () => cgroupProbe('cpu'),
  }),
  'cgroup-pids': service({
    hint: 'run as root on a kernel with the pids cgroup controller mounted (v1 or v2)',
    env: {},
    probe: () => cgroupProbe('pids'),
  }),
  /** nftables' `nft`, which the network demos run inside their own namespaces only. */
  nftables: service({
    apt: ['nftables'],
    other: { brew: [] },
    env: {},
    probe: () => binary('nft', /^nftables v\d/, '--version'),
  }),
  /** traceroute (the modern one, with -I and -T), which the packets demo runs in its namespaces. */
  traceroute: service({
    apt: ['traceroute'],
    other: { brew: [] },
    env: {},
    probe: () => binary('traceroute', /^Modern traceroute for Linux, version \d/, '-V'),
  }),
  /** iputils' ping (-I with a source address, -M do, -t for the TTL). */
  ping: service({
    apt: ['iputils-ping'],
    other: { brew: [] },
    env: {},
    probe: () => binary('ping', /^ping from iputils \d/, '-V'),
  }),
  /** Knot DNS, the authoritative server a DNS demo starts in its own namespace (and knotc). */
  knot: service({
    apt: ['knot'],
    other: { brew: [] },
    env: {},
    probe: () => binary('knotd', /\(Knot DNS\), version \d/, '-V'),
  }),
  /** unbound, the caching resolver a DNS demo starts in its own namespace (and unbound-control). */
  unbound: service({
    apt: ['unbound'],
    other: { brew: [] },
    env: {},
    probe: () => binary('unbound', /^Version \d/, '-V'),
  }),
  /** Block I/O throttling: blkio (v1) or io (v2), whichever this kernel mounts. */
  'cgroup-io': service({
    hint: 'run as root on a kernel with the blkio (v1) or io (v2) cgroup controller mounted',
    env: {},
    probe: async () => {
      const v1 = await cgroupProbe('blkio');
      return v1.ok ? v1 : cgroupProbe('io');
    },
  }),
  /** Loop devices (losetup) and ext4 on them (mkfs.ext4), for filesystems of a run's own. */
  'loop-devices': service({
    hint: 'run as root on a kernel with loop devices',
    after: ['loop-tools'],
    env: {},
    probe: loopProbe,
  }),
};
