// The first minute on a box you have never seen, as code: each check reads what the kernel and
// the usual tools report, and says in one line what it found and which command shows more.
// Read-only: it starts nothing, stops nothing, writes nothing.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import { runCommand } from '../kit/sandbox.ts';
import { loadavg, pressure } from './proc.ts';
import { lines } from './tools.ts';

type Level = 'ok' | 'warn' | 'info';

export interface Finding {
  /** The check: load, pressure, kernel log, memory, disk, inodes, cpu, D state, ports, units. */
  check: string;
  level: Level;
  /** What it found, in one line. */
  summary: string;
  /** The command that shows more. */
  more: string;
  /** The processes, mounts or ports behind a finding, for scripts (--json) and the demo. */
  items?: Record<string, string | number>[];
}

/** How full a filesystem may get before the check warns, in percent. */
const FULL = 90;
/** How busy one process may keep a CPU over the sample before it is named, in percent. */
const HOT = 50;
/** Filesystems whose fullness says nothing about the disk. */
const PSEUDO =
  /^(proc|sysfs|devtmpfs|devpts|cgroup2?|overlay|squashfs|nsfs|autofs|mqueue|tracefs|debugfs|securityfs|pstore|bpf|configfs|fusectl|hugetlbfs|binfmt_misc|efivarfs|ramfs)$/;

function loadCheck(): Finding {
  const l = loadavg();
  const cpus = availableParallelism();
  const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const level = l.load1 > cpus ? 'warn' : 'ok';
  return {
    check: 'load',
    level,
    summary: `load ${l.load1} ${l.load5} ${l.load15} on ${cpus} CPUs (${l.running} runnable now), up ${formatUptime(uptime)}`,
    more: 'uptime; vmstat 1 5  (r = runnable, b = blocked on I/O)',
  };
}

function formatUptime(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}d ${h}h` : `${h}h ${m}m`;
}

function pressureCheck(): Finding {
  const found = (['cpu', 'io', 'memory'] as const).map((r) => [r, pressure(r)] as const);
  if (found.every(([, p]) => p === undefined)) {
    return {
      check: 'pressure',
      level: 'info',
      summary: 'no /proc/pressure: PSI is off (boot with psi=1) or the kernel is older than 4.20',
      more: 'cat /proc/pressure/{cpu,io,memory}',
    };
  }
  const stalled = found.filter(([, p]) => (p?.avg10 ?? 0) >= 10);
  return {
    check: 'pressure',
    level: stalled.length ? 'warn' : 'ok',
    summary: `PSI some avg10: ${found.map(([r, p]) => `${r} ${p?.avg10 ?? '-'}%`).join(', ')}`,
    more: 'cat /proc/pressure/{cpu,io,memory}',
  };
}

async function kernelLogCheck(): Promise<Finding> {
  const r = await runCommand('dmesg', ['--level=emerg,alert,crit,err', '--kernel'], {
    timeoutMs: 5000,
  });
  if (r.code !== 0) {
    return {
      check: 'kernel log',
      level: 'info',
      summary: `dmesg cannot be read here: ${lines(r.stderr)[0] ?? `exit ${r.code}`} (needs root when kernel.dmesg_restrict=1)`,
      more: 'sudo dmesg -T | tail -50',
    };
  }
  const all = await runCommand('dmesg', ['--kernel'], { timeoutMs: 5000 });
  const ooms = lines(all.stdout).filter((l) => /Out of memory|oom-kill|Killed process/.test(l));
  const errors = lines(r.stdout);
  return {
    check: 'kernel log',
    level: ooms.length ? 'warn' : 'info',
    summary: `${errors.length} error lines, ${ooms.length} OOM-killer lines${errors.length ? `; last: ${errors.at(-1)?.trim()}` : ''}`,
    more: 'dmesg -T --level=err,warn | tail -50',
  };
}

function memoryCheck(): Finding {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  const avail = kb('MemAvailable') / kb('MemTotal');
  const swap = kb('SwapTotal');
  const swapText = swap
    ? `swap ${Math.round((100 * (swap - kb('SwapFree'))) / swap)}% used`
    : 'no swap';
  return {
    check: 'memory',
    level: avail < 0.1 ? 'warn' : 'ok',
    summary: `${Math.round(avail * 100)}% of ${gib(kb('MemTotal'))} available, ${swapText}`,
    more: 'free -h; cat /proc/pressure/memory',
  };
}

function gib(kb: number): string {
  return `${(kb / 1024 / 1024).toFixed(1)} GiB`;
}

/** `df -P` or `df -iP` rows at or above FULL percent, real filesystems only. */
async function dfCheck(inodes: boolean): Promise<Finding> {
  const r = await runCommand('df', [inodes ? '-iPT' : '-PT'], { timeoutMs: 10_000 });
  const rows = lines(r.stdout)
    .slice(1)
    .map((l) => l.split(/\s+/))
    .filter((f) => f.length >= 7 && !PSEUDO.test(f[1] as string))
    .map((f) => ({
      fs: f[0] as string,
      type: f[1] as string,
      use: Number.parseInt(f[5] as string, 10),
      mount: f.slice(6).join(' '),
    }))
    .filter((f) => !Number.isNaN(f.use));
  const full = rows.filter((f) => f.use >= FULL);
  const what = inodes ? 'inodes' : 'space';
  return {
    check: inodes ? 'inodes' : 'disk',
    level: full.length ? 'warn' : 'ok',
    summary: full.length
      ? `${what} ≥ ${FULL}% on ${full.map((f) => `${f.mount} (${f.use}%)`).join(', ')}`
      : `${what} below ${FULL}% on all ${rows.length} filesystems`,
    more: inodes
      ? 'df -i; find <mount> -xdev -type f | cut -d/ -f2-3 | sort | uniq -c | sort -n'
      : 'df -h; du -xsh /* | sort -h; lsof +L1',
    items: full.map((f) => ({ mount: f.mount, type: f.type, use: f.use })),
  };
}

interface Ticks {
  comm: string;
  ticks: number;
  state: string;
}

/** utime + stime (in clock ticks) and state of every process, from /proc/<pid>/stat. */
function cpuTicks(): Map<number, Ticks> {
  const out = new Map<number, Ticks>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(name), {
        comm: stat.slice(stat.indexOf('(') + 1, close),
        state: fields[0] as string,
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

/** How many times cpuCheck reads every process's state over its sample. */
const SNAPSHOTS = 11;

/**
 * The busiest processes over `sampleMs`, and the ones runnable (R) at every snapshot: on a busy
 * box a runaway loop gets only its share of a CPU, but it never once sleeps.
 */
async function cpuCheck(sampleMs: number): Promise<Finding> {
  const before = cpuTicks();
  const runnable = new Map<number, number>();
  let after = before;
  for (let i = 0; i < SNAPSHOTS; i++) {
    if (i > 0) {
      await delay(sampleMs / (SNAPSHOTS - 1));
      after = cpuTicks();
    }
    for (const [pid, t] of after)
      if (t.state === 'R') runnable.set(pid, (runnable.get(pid) ?? 0) + 1);
  }
  // /proc/<pid>/stat counts in USER_HZ, which is 100 on every Linux ABI (sysconf(_SC_CLK_TCK)).
  const percent = (ticks: number) => Math.round((ticks / 100 / (sampleMs / 1000)) * 100);
  const all = [...after]
    .map(([pid, a]) => ({
      pid,
      comm: a.comm,
      cpu: percent(a.ticks - (before.get(pid)?.ticks ?? a.ticks)),
      alwaysRunnable: runnable.get(pid) === SNAPSHOTS,
    }))
    .filter((p) => p.cpu > 0)
    .sort((a, b) => b.cpu - a.cpu);
  const spinning = all.filter((p) => p.alwaysRunnable || p.cpu >= HOT);
  const top = all.slice(0, 5);
  const name = (p: { comm: string; pid: number; cpu: number }) =>
    `${p.comm} (pid ${p.pid}) ${p.cpu}%`;
  const first = spinning[0] ?? top[0];
  const window = `${sampleMs / 1000} s`;
  return {
    check: 'cpu',
    level: spinning.length ? 'warn' : 'ok',
    summary: spinning.length
      ? `never slept over ${window} (or ≥ ${HOT}% of a CPU): ${spinning.map(name).join(', ')}`
      : `busiest over ${window}: ${top.map(name).join(', ') || 'none'}; none ran without sleeping`,
    more: first ? `top -p ${first.pid}; pidstat -p ${first.pid} 1 5` : 'top; pidstat 1 5',
    items: (spinning.length ? spinning : top).map((p) => ({
      pid: p.pid,
      comm: p.comm,
      cpu: p.cpu,
    })),
  };
}

function blockedCheck(): Finding {
  const d = [...cpuTicks()].filter(([, t]) => t.state === 'D');
  return {
    check: 'D state',
    level: d.length ? 'warn' : 'ok',
    summary: d.length
      ? `${d.length} processes in uninterruptible sleep: ${d
          .slice(0, 5)
          .map(([pid, t]) => `${t.comm} (pid ${pid})`)
          .join(', ')}`
      : 'no process in uninterruptible sleep (D)',
    more: d.length
      ? `cat /proc/${d[0]?.[0]}/stack /proc/${d[0]?.[0]}/wchan`
      : "ps -eo pid,stat,wchan:32,comm | awk '$2 ~ /D/'",
    items: d.map(([pid, t]) => ({ pid, comm: t.comm })),
  };
}

async function portsCheck(): Promise<Finding> {
  const r = await runCommand('ss', ['-Hltnp'], { timeoutMs: 5000 });
  const items = lines(r.stdout).map((l) => {
    const f = l.trim().split(/\s+/);
    const local = f[3] ?? '';
    return {
      address: local,
      port: Number(local.slice(local.lastIndexOf(':') + 1)),
      process: /\("([^"]+)",pid=(\d+)/.exec(l)?.slice(1, 3).join(' pid ') ?? '?',
      pid: Number(/pid=(\d+)/.exec(l)?.[1] ?? 0),
    };
  });
  const ports = [...new Set(items.map((i) => i.port))].sort((a, b) => a - b);
  return {
    check: 'ports',
    level: 'info',
    summary: `${items.length} listening TCP sockets on ${ports.length} ports: ${ports.slice(0, 12).join(' ')}${ports.length > 12 ? ' …' : ''}`,
    more: 'ss -ltnp; lsof -nP -iTCP -sTCP:LISTEN',
    items,
  };
}

async function unitsCheck(): Promise<Finding> {
  if (!existsSync('/run/systemd/system')) {
    const init = readFileSync('/proc/1/comm', 'utf8').trim();
    return {
      check: 'units',
      level: 'info',
      summary: `no systemd here (PID 1 is ${init}): no failed units to list`,
      more: 'ps -p 1 -o comm=',
    };
  }
  const r = await runCommand('systemctl', ['--failed', '--no-legend', '--plain'], {
    timeoutMs: 5000,
  });
  const failed = lines(r.stdout).map((l) => l.trim().split(/\s+/)[0] as string);
  return {
    check: 'units',
    level: failed.length ? 'warn' : 'ok',
    summary: failed.length ? `failed units: ${failed.join(', ')}` : 'no failed systemd units',
    more: failed.length
      ? `systemctl status ${failed[0]}; journalctl -u ${failed[0]} -n 50`
      : 'systemctl --failed',
  };
}

/** Runs every check; the CPU sample takes `sampleMs`, the others run meanwhile. */
export async function triage(sampleMs = 1000): Promise<Finding[]> {
  const [cpu, ...rest] = await Promise.all([
    cpuCheck(sampleMs),
    kernelLogCheck(),
    dfCheck(false),
    dfCheck(true),
    portsCheck(),
    unitsCheck(),
  ]);
  const [log, disk, inodes, ports, units] = rest;
  return [
    loadCheck(),
    pressureCheck(),
    cpu,
    blockedCheck(),
    memoryCheck(),
    disk,
    inodes,
    log,
    ports,
    units,
  ].filter((f): f is Finding => f !== undefined);
}

/** One finding as a line: level, check, what was found, and the command that shows more. */
export function findingLine(f: Finding): string {
  return `${f.level.toUpperCase().padEnd(4)}  ${f.check.padEnd(10)}  ${f.summary}\n${''.padEnd(18)}more: ${f.more}`;
}
