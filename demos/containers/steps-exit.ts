// Exit codes as the kernel and the shell make them: a program's own exit status (0-255), or
// 128 + the signal's number when a shell reports a child killed by a signal. And what
// /proc/<pid>/environ holds: the environment at exec, not what the process set since.

import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { step } from '../kit/define.ts';
import { demoDir } from '../kit/paths.ts';
import { waitFor } from '../kit/wait.ts';
import { type Env, sandboxFor } from './env.ts';
import { NAMESPACE_TYPES } from './namespace-types.ts';

const node = (code: string) => `"${process.execPath}" -e '${code}'`;
const py = (code: string) => `/usr/bin/python3 -c '${code}'`;

/** 128 + n is how a shell reports death by signal n; above 128 + the last signal it is a code. */
function meaning(status: number): string {
  const signal = Object.entries(constants.signals).find(([, n]) => n === status - 128)?.[0];
  return signal ? `128 + ${status - 128}: killed by ${signal}` : 'exit status (no signal)';
}

interface Case {
  what: string;
  /** The command a shell runs, and then reports with `$?`. */
  command: string;
  expected: number;
  /** Where the number comes from, when it is not the program's plain exit status. */
  note?: string;
}

export const exitCodesStep = step<Env>(
  {
    id: 'exit-codes',
    section: 'exit-codes-decoded',
    title: 'Exit codes decoded: 1, 2, 126, 127, 134, 137, 139, 143, and 137 without any OOM',
    needs: ['cgroup-memory'],
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    const script = join(sb.path('exit'), 'not-executable.sh');
    writeFileSync(script, 'echo never\n', { mode: 0o644 });
    const cases: Case[] = [
      { what: 'Node: an uncaught error', command: node('throw new Error("boom")'), expected: 1 },
      {
        what: 'Python: an uncaught exception',
        command: py('raise RuntimeError("boom")'),
        expected: 1,
      },
      { what: 'exit 2 (a usage error, by convention)', command: 'sh -c "exit 2"', expected: 2 },
      {
        what: 'Python: sys.exit(-1)',
        command: py('import sys; sys.exit(-1)'),
        expected: 255,
        note: 'exit(-1): the status keeps the low 8 bits',
      },
      {
        what: 'Node: process.exit(300)',
        command: node('process.exit(300)'),
        expected: 44,
        note: '300 & 0xff = 44',
      },
      {
        what: 'not executable',
        command: script,
        expected: 126,
        note: 'the shell: found, cannot execute',
      },
      {
        what: 'command not found',
        command: 'wn-no-such-command',
        expected: 127,
        note: 'the shell: not found',
      },
      { what: 'Node: process.abort() (SIGABRT)', command: node('process.abort()'), expected: 134 },
      { what: 'killed by SIGKILL', command: 'sh -c "kill -KILL \\$\\$"', expected: 137 },
      { what: 'SIGSEGV', command: 'sh -c "kill -SEGV \\$\\$"', expected: 139 },
      { what: 'killed by SIGTERM', command: 'sh -c "kill -TERM \\$\\$"', expected: 143 },
    ];
    const rows: (string | number)[][] = [];
    const got: number[] = [];
    for (const c of cases) {
      const r = await sb.run('sh', ['-c', `${c.command} >/dev/null 2>&1; echo $?`]);
      const status = Number(r.stdout.trim());
      got.push(status);
      rows.push([c.what, status, c.note ?? meaning(status)]);
    }
    t.table(['what', '$?', 'meaning'], rows);
    t.equal(
      'a shell reports 1 1 2 255 44 126 127 134 137 139 143 for these cases',
      got,
      cases.map((c) => c.expected),
    );
    const spawned = await sb.run('wn-no-such-command', []).catch((err: Error) => err.message);
    t.match(
      "without a shell there is no 127: Node's spawn reports ENOENT",
      String(spawned),
      /ENOENT/,
    );

    const cgroup = await sb.cgroup(['memory']);
    const killed = sb.start('sleep', ['600'], { cgroup });
    await waitFor(`pid ${killed.pid} in its cgroup`, () =>
      cgroup.pids().includes(killed.pid) ? true : undefined,
    );
    const shared = NAMESPACE_TYPES.map((n) => n.proc).filter((type) => {
      try {
        return (
          readlinkSync(`/proc/${killed.pid}/ns/${type}`) === readlinkSync(`/proc/self/ns/${type}`)
        );
      } catch {
        return false; // a type this kernel lacks
      }
    });
    t.equal(
      'a process in a memory cgroup still shares every namespace with the host: a cgroup limits, it does not hide',
      shared.length,
      readdirSync('/proc/self/ns').filter((n) => !n.endsWith('_for_children')).length,
    );
    killed.kill('SIGKILL');
    const ran = await killed.exited;
    const oom = cgroup.readKeyed(cgroup.version === 1 ? 'memory.oom_control' : 'memory.events');
    t.equal(
      "a `kill -9` gives the same SIGKILL (137 in a shell) while the cgroup's oom_kill stays 0",
      [ran.signal, oom.get('oom_kill')],
      ['SIGKILL', 0],
    );
  },
);

export const environStep = step<Env>(
  {
    id: 'environ',
    section: 'procpidenviron-is-the-environment-at-exec',
    title: '/proc/<pid>/environ is the environment at exec, not what the process set since',
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    const program = join(demoDir('containers'), 'setenv.mjs');
    const p = sb.start(process.execPath, [program], { env: { WN_AT_EXEC: '1' } });
    const child = (await p.waitFor(/child sees (.*)\n/))[1] ?? '';
    const environ = readFileSync(`/proc/${p.pid}/environ`, 'utf8')
      .split('\0')
      .filter((v) => v.startsWith('WN_') && !v.startsWith('WN_SANDBOX='))
      .sort();
    p.write('done\n');
    await p.exited;
    t.table(
      ['where', 'WN_ variables'],
      [
        [`/proc/${p.pid}/environ, read by the parent`, environ.join(' ')],
        ['a child the process spawned after setting them', child],
      ],
    );
    t.equal(
      '/proc/<pid>/environ still holds WN_AT_EXEC=1 and not WN_ADDED after process.env changed both',
      environ.filter((v) => v.startsWith('WN_AT_EXEC') || v.startsWith('WN_ADDED')),
      ['WN_AT_EXEC=1'],
    );
    t.equal(
      'a child started afterwards gets the new values',
      child,
      'WN_ADDED=later WN_AT_EXEC=changed',
    );
  },
);
