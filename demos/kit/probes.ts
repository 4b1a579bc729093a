// Quick checks that a service answers, in well under 5 seconds: a TCP connect, a binary on disk
// that reports the expected version, Python modules, and the lease files a failover holds (Kafka's
// probe waits while a live failover holds a broker down).

import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { splitHostPort, stateDir } from './variables.ts';

/** What a probe found: whether the service answers, the address tried, and why not. */
export interface Probed {
  ok: boolean;
  /** What was tried: host:port list or a file path. */
  address: string;
  /** Why it is not usable, when it is not. */
  problem?: string;
}

const PROBE_TIMEOUT_MS = 1500;

/** What a probe's command answered. */
export interface Answer {
  stdout: string;
  stderr: string;
  /** It could not run, exited non-zero, or gave no answer in time (then `timedOut`). */
  failed?: string;
  timedOut: boolean;
}

/**
 * Probe commands run in this process at once. A test run probes ~40 needs together: with every
 * `java -version`, Python and daemon `-v` started at the same moment (three Node lines' runs at
 * once, on 2 cores), `nginx -v` gave no answer in its 3 s and nginx was called missing.
 */
const SLOTS = 4;
let busy = 0;
const waiting: (() => void)[] = [];

/** Runs a probe's command, at most SLOTS at a time; its time limit starts when it runs. */
export async function probeExec(file: string, args: string[], timeoutMs: number): Promise<Answer> {
  if (busy >= SLOTS) await new Promise<void>((r) => waiting.push(r));
  busy++;
  try {
    return await new Promise((resolve) => {
      execFile(file, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
        const timedOut = Boolean(err?.killed);
        const failed = !err
          ? undefined
          : timedOut
            ? `no answer within ${timeoutMs / 1000} s`
            : err.message;
        resolve({ stdout: String(stdout), stderr: String(stderr), failed, timedOut });
      });
    });
  } finally {
    busy--;
    waiting.shift()?.();
  }
}

function tcpReachable(hostPort: string): Promise<string | undefined> {
  const { host, port } = splitHostPort(hostPort);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (problem?: string) => {
      socket.destroy();
      resolve(problem);
    };
    // When the event loop was blocked (spawning other probes on a loaded machine), the timer and
    // the connection's completion are both due: look at I/O once more before calling it no answer.
    socket.setTimeout(PROBE_TIMEOUT_MS, () =>
      setImmediate(() => done(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
    );
    socket.once('connect', () => done());
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/** Every address accepts a TCP connection. */
export async function tcp(addresses: string[]): Promise<Probed> {
  const problems = await Promise.all(addresses.map(tcpReachable));
  const failed = addresses
    .map((a, i) => (problems[i] ? `${a} (${problems[i]})` : undefined))
    .filter(Boolean);
  return {
    ok: failed.length === 0,
    address: addresses.join(','),
    problem: failed.length ? `not reachable at ${failed.join(', ')}` : undefined,
  };
}

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** `file --version` prints something matching `expected` (a browser, not any executable). */
export async function versionMatches(file: string, expected: RegExp): Promise<string | undefined> {
  const a = await probeExec(file, ['--version'], 4500);
  const first = a.stdout.trim().split('\n')[0] ?? '';
  if (expected.test(first)) return undefined;
  if (a.timedOut) return `\`${file} --version\` gave ${a.failed}`;
  return a.failed ? `\`${file} --version\` failed` : `\`${file} --version\` said "${first}"`;
}

/** A daemon's binary: on PATH, or in /usr/sbin, where Debian puts it (not on every PATH). */
export function findBinary(command: string): string | undefined {
  const sbin = `/usr/sbin/${command}`;
  return onPath(command) ?? (executable(sbin) ? sbin : undefined);
}

/**
 * `command` is installed and `command <flag>` (default `-v`; knotd and unbound take `-V`, their
 * `-v` means verbose) prints a line matching `expected` (any line: tshark's first is a warning).
 */
export async function binary(command: string, expected: RegExp, flag = '-v'): Promise<Probed> {
  const file = findBinary(command);
  if (!file) {
    const problem = `${command} is not on PATH or in /usr/sbin`;
    return { ok: false, address: 'PATH', problem };
  }
  // nginx prints its version on stderr, HAProxy on stdout.
  const a = await probeExec(file, [flag], 3000);
  const said = `${a.stdout}${a.stderr}`.trim();
  const ok = expected.test(said);
  const first = said.split('\n')[0] ?? '';
  const problem = ok
    ? undefined
    : a.timedOut
      ? `\`${file} ${flag}\` gave ${a.failed}`
      : `\`${file} ${flag}\` said "${first}"`;
  return { ok, address: file, problem };
}

/** `command` is installed: on PATH, or in /usr/sbin (a tool the demos run, whatever its version). */
export async function commandOnPath(command: string): Promise<Probed> {
  const file = findBinary(command);
  return file
    ? { ok: true, address: file }
    : { ok: false, address: 'PATH', problem: `${command} is not on PATH or in /usr/sbin` };
}

export interface LeaseEntry {
  pid: number;
  exclusive: boolean;
  /** false while waiting for the lease. */
  holds: boolean;
  /** The command that holds it ("demos/kafka"). */
  what: string;
  since: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live entries of a lease (files of processes that are gone count for nothing). */
export function leaseEntries(folder: string, except = ''): LeaseEntry[] {
  let files: string[];
  try {
    files = readdirSync(folder).filter((f) => f.endsWith('.json') && join(folder, f) !== except);
  } catch {
    return [];
  }
  return files
    .flatMap((f) => {
      try {
        return [JSON.parse(readFileSync(join(folder, f), 'utf8')) as LeaseEntry];
      } catch {
        return []; // removed meanwhile
      }
    })
    .filter((e) => processAlive(e.pid));
}

/**
 * Debian's /usr/bin/python3 finds every module named (pyenv's python3 cannot see them). It looks
 * them up without importing them: importing FastAPI takes seconds on a loaded machine.
 */
export async function pythonModules(modules: string[]): Promise<Probed> {
  const python = '/usr/bin/python3';
  const script = `import importlib.util as u; print(' '.join(m for m in ${JSON.stringify(modules)} if u.find_spec(m) is None))`;
  const a = await probeExec(python, ['-c', script], 4000);
  const missing = a.stdout.trim();
  const problem = a.failed
    ? `\`${python}\` did not run: ${a.failed}`
    : missing
      ? `${python} has no module ${missing.split(' ').join(', ')}`
      : undefined;
  return { ok: problem === undefined, address: python, problem };
}

/** How long a probe waits for a failover that holds a broker down to end. */
const FAILOVER_WAIT_MS = 120_000;

/**
 * Kafka is up when every broker accepts. A broker down while the others answer and a live run
 * holds the kafka lease exclusively (its failover step stopped it, and starts it again) is waited
 * for, saying so once, rather than reported missing.
 */
export async function kafkaProbe(brokers: string[]): Promise<Probed> {
  let found = await tcp(brokers);
  const folder = join(stateDir(), 'leases', 'kafka');
  const deadline = Date.now() + FAILOVER_WAIT_MS;
  let told = false;
  // All brokers down is not a failover (that stops one): no waiting then.
  const someAnswer = async () =>
    (await Promise.all(brokers.map(tcpReachable))).some((p) => p === undefined);
  while (!found.ok && Date.now() < deadline && (await someAnswer())) {
    const holder = leaseEntries(folder).find((e) => e.exclusive && e.holds);
    if (!holder) break;
    if (!told) {
      process.stderr.write(
        `waiting for the kafka lease: pid ${holder.pid} (${holder.what}) holds it exclusively, a broker stopped for its failover\n`,
      );
      told = true;
    }
    await sleep(500);
    found = await tcp(brokers);
  }
  return found;
}
