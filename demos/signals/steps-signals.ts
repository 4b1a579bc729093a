// Signals sent to ordinary processes: default actions against handlers, what cannot be caught,
// stopped processes, and the exit status a parent reads afterwards.

import { constants } from 'node:os';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { describeStatus, statusOf } from './exit-status.ts';
import { caughtSignals, exitWithin, isPending, type Proc, procState, until } from './harness.ts';
import { answers, describeExit, startTarget, targetCommand } from './targets.ts';

const CATCHABLE = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1'] as const;
const short = (s: string) => s.replace(/^SIG/, '');
const NUMBERED = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGKILL',
  'SIGUSR1',
  'SIGTERM',
  'SIGCONT',
  'SIGSTOP',
] as const;

/** kill(pid, 0): "ok" when the pid exists, else the error code. */
function signalZero(pid: number): string {
  try {
    process.kill(pid, 0);
    return 'ok';
  } catch (err) {
    return String((err as NodeJS.ErrnoException).code);
  }
}

/** What a signal did to a process: its exit, or "still running" when it answered a ping. */
async function outcome(p: Proc): Promise<string> {
  const alive = await answers(p);
  return alive ? 'still running' : describeExit(await p.exited);
}

export const defaultsStep = step<Env>(
  {
    id: 'defaults',
    section: 'default-actions-and-handlers',
    title: 'TERM, INT, HUP, QUIT, USR1: the default action, Node without a handler, with one',
  },
  async (t, env) => {
    if (env.swept.dirs) {
      t.say(
        `Removed ${env.swept.dirs} directories and ${env.swept.processes} processes of dead runs.`,
      );
    }
    const rows = await Promise.all(
      CATCHABLE.map(async (signal) => {
        const sleep = env.procs.start('sleep', ['30']);
        const bare = await startTarget(env.procs);
        const handled = await startTarget(env.procs, [`handle=${short(signal)}`]);
        for (const p of [sleep, bare, handled]) p.child.kill(signal);
        const sleepExit = describeExit(await exitWithin(sleep, 5000));
        const bareOutcome = await outcome(bare);
        await handled.waitFor(new RegExp(`caught ${signal}`));
        const handledOutcome = await outcome(handled);
        for (const p of [bare, handled]) p.child.kill('SIGKILL');
        return { signal, sleepExit, bareOutcome, bare, handledOutcome };
      }),
    );
    t.figure({
      kind: 'matrix',
      title: 'what each signal did',
      columns: ['`sleep` (no handler)', 'node, no handler', 'node, handler'],
      rows: rows.map((r) => ({
        label: `${r.signal} (${constants.signals[r.signal]})`,
        cells: [r.sleepExit, r.bareOutcome, `caught, ${r.handledOutcome}`],
      })),
    });
    for (const r of rows) {
      const wanted = r.signal === 'SIGQUIT' ? 'terminate and dump core' : 'terminate';
      t.equal(
        `${r.signal}'s default action (${wanted}) ends \`sleep\``,
        r.sleepExit,
        `killed by ${r.signal}`,
      );
      t.equal(
        `a handler for ${r.signal} runs instead and the process keeps running`,
        r.handledOutcome,
        'still running',
      );
    }
    for (const r of rows.filter((x) => x.signal !== 'SIGUSR1')) {
      t.equal(
        `node without a ${r.signal} handler dies by it`,
        r.bareOutcome,
        `killed by ${r.signal}`,
      );
    }
    const usr1 = rows.find((r) => r.signal === 'SIGUSR1');
    t.equal('node without a SIGUSR1 handler keeps running', usr1?.bareOutcome, 'still running');
    t.match(
      'because Node itself handles SIGUSR1: it starts the inspector',
      usr1?.bare.output() ?? '',
      /Debugger listening on ws:/,
    );
    const idle = await startTarget(env.procs);
    const caught = caughtSignals(idle.pid);
    idle.child.kill('SIGKILL');
    t.show('SigCgt (signals it catches) of a node with no JS handler', caught.join(' '));
    t.check(
      'with no JS handler node still catches SIGINT and SIGTERM (to reset the terminal, then re-raise)',
      caught.includes('SIGINT') && caught.includes('SIGTERM'),
      caught.join(' '),
    );
    for (const signal of ['SIGKILL', 'SIGSTOP'] as const) {
      const listener = () => {};
      await t.rejects(
        `process.on('${signal}') throws: the kernel lets no process catch ${signal}`,
        () => process.on(signal, listener),
        { code: 'EINVAL', message: 'uv_signal_start' },
      );
      process.off(signal, listener);
    }
    const killed = await startTarget(env.procs, ['handle=TERM,INT,HUP,QUIT,USR1']);
    const probeLive = signalZero(killed.pid);
    killed.child.kill('SIGKILL');
    t.equal(
      'a process with a handler for every catchable signal still dies by SIGKILL',
      describeExit(await killed.exited),
      'killed by SIGKILL',
    );
    t.equal(
      'signal 0 sends nothing and only checks: kill(pid, 0) is ok on a live pid, ESRCH on a gone one',
      [probeLive, signalZero(killed.pid)],
      ['ok', 'ESRCH'],
    );
    const numbers = Object.fromEntries(
      NUMBERED.map((s) => [s, constants.signals[s]] as [string, number]),
    );
    t.show(
      `signal numbers here (${process.platform} ${process.arch})`,
      Object.entries(numbers)
        .map(([name, n]) => `${short(name)} ${n}`)
        .join(' · '),
    );
    t.equal(
      `on ${process.arch} Linux the numbers are HUP 1, INT 2, QUIT 3, KILL 9, USR1 10, TERM 15, CONT 18, STOP 19`,
      numbers,
      {
        SIGHUP: 1,
        SIGINT: 2,
        SIGQUIT: 3,
        SIGKILL: 9,
        SIGUSR1: 10,
        SIGTERM: 15,
        SIGCONT: 18,
        SIGSTOP: 19,
      },
    );
  },
);

export const stopContStep = step<Env>(
  {
    id: 'stop-cont',
    section: 'stopped-processes-stop-and-cont',
    title: 'STOP freezes a process (T in /proc), TERM waits for CONT, KILL does not',
  },
  async (t, env) => {
    const [termed, continued, killed] = await Promise.all([
      startTarget(env.procs),
      startTarget(env.procs, ['handle=CONT']),
      startTarget(env.procs),
    ]);
    const states: string[][] = [];
    for (const p of [termed, continued, killed]) p.child.kill('SIGSTOP');
    const stopped = await Promise.all(
      [termed, continued, killed].map((p) =>
        until('state T', () => (procState(p.pid)?.startsWith('T') ? procState(p.pid) : undefined)),
      ),
    );
    t.equal('after SIGSTOP /proc/<pid>/status says "T (stopped)"', stopped, [
      'T (stopped)',
      'T (stopped)',
      'T (stopped)',
    ]);
    termed.child.kill('SIGTERM');
    const pendingState = procState(termed.pid);
    const pending = isPending(termed.pid, 'SIGTERM');
    states.push([
      'SIGTERM to a stopped process',
      pendingState ?? '',
      pending ? 'SIGTERM pending' : '',
    ]);
    t.check(
      'SIGTERM to a stopped process stays pending (ShdPnd) and it stays stopped',
      pending && pendingState === 'T (stopped)',
      `${pendingState}, pending ${pending}`,
    );
    termed.child.kill('SIGCONT');
    const termExit = describeExit(await exitWithin(termed, 5000));
    states.push(['then SIGCONT', termExit, '']);
    t.equal(
      'SIGCONT lets the pending SIGTERM act: the process dies by it',
      termExit,
      'killed by SIGTERM',
    );
    continued.child.kill('SIGCONT');
    await continued.waitFor(/caught SIGCONT/);
    const resumed = await answers(continued);
    states.push(['SIGCONT (with a handler)', procState(continued.pid) ?? '', 'handler ran']);
    t.check('SIGCONT resumes a process and also runs its handler', resumed);
    killed.child.kill('SIGKILL');
    const killExit = describeExit(await exitWithin(killed, 5000));
    states.push(['SIGKILL to a stopped process', killExit, '']);
    t.equal('SIGKILL ends a stopped process without SIGCONT', killExit, 'killed by SIGKILL');
    t.table(['what', 'state / result', ''], states);
    continued.child.kill('SIGKILL');
  },
);

/** `sh -c '<cmd>; echo "status $?"'`: the child's status as the shell reports it. */
async function shellStatus(env: Env, args: string[], signal?: NodeJS.Signals): Promise<number> {
  const sh = env.procs.start('sh', ['-c', `${targetCommand(args).join(' ')}; echo "status $?"`]);
  if (signal) process.kill(Number((await sh.waitFor(/ready (\d+)/))[1]), signal);
  return Number((await sh.waitFor(/status (\d+)/))[1]);
}

export const exitStatusStep = step<Env>(
  {
    id: 'exit-status',
    section: 'exit-status-128--n',
    title: 'Exit status 128 + N: what a shell reports, what Node reports, and a 137 nobody killed',
  },
  async (t, env) => {
    const rows: string[][] = [];
    for (const signal of ['SIGTERM', 'SIGKILL', 'SIGINT'] as const) {
      const status = await shellStatus(env, [], signal);
      rows.push([`kill -${short(signal)}`, String(status), describeStatus(status).meaning]);
      t.equal(
        `a shell reports a child killed by ${signal} as ${statusOf(signal)} (128 + ${constants.signals[signal]})`,
        status,
        statusOf(signal),
      );
    }
    const sleep = env.procs.start('sh', [
      '-c',
      'sleep 30 & echo "ready $!"; wait $!; echo "status $?"',
    ]);
    process.kill(Number((await sleep.waitFor(/ready (\d+)/))[1]), 'SIGSEGV');
    const segv = Number((await sleep.waitFor(/status (\d+)/))[1]);
    rows.push(['kill -SEGV (sleep)', String(segv), describeStatus(segv).meaning]);
    t.equal('SIGSEGV (11) is reported as 139', segv, statusOf('SIGSEGV'));
    const minusOne = await shellStatus(env, ['exit=-1']);
    rows.push(['exit(-1)', String(minusOne), describeStatus(minusOne).meaning]);
    t.equal('exit(-1) is reported as 255, a status with no standard meaning', minusOne, 255);
    const selfExit = await shellStatus(env, ['exit=137']);
    rows.push(['exit(137), no signal', String(selfExit), describeStatus(selfExit).meaning]);
    t.equal('a process that calls exit(137) is reported as 137 as well', selfExit, 137);
    const wrapped = await shellStatus(env, ['exit=393']);
    rows.push(['exit(393)', String(wrapped), 'only the low 8 bits reach the parent']);
    t.equal('exit(393) reaches the parent as 137: only the low 8 bits survive', wrapped, 137);
    t.table(['the child', '$?', 'meaning'], rows);

    const direct = await startTarget(env.procs);
    direct.child.kill('SIGKILL');
    const directExit = await direct.exited;
    const viaShell = env.procs.start('sh', ['-c', `${targetCommand().join(' ')}; exit $?`]);
    process.kill(Number((await viaShell.waitFor(/ready (\d+)/))[1]), 'SIGKILL');
    const shellExit = await viaShell.exited;
    const self = env.procs.start(process.execPath, targetCommand(['exit=137']).slice(1));
    const selfEvent = await self.exited;
    t.table(
      ["child_process 'exit' event", 'code', 'signal'],
      [
        ['node, killed by SIGKILL', String(directExit.code), String(directExit.signal)],
        ['sh -c "node …; exit $?", node killed', String(shellExit.code), String(shellExit.signal)],
        ['node, exit(137)', String(selfEvent.code), String(selfEvent.signal)],
      ],
    );
    t.equal(
      "Node's 'exit' event for a child killed by SIGKILL has code null and signal SIGKILL",
      directExit,
      { code: null, signal: 'SIGKILL' },
    );
    t.equal('through a shell wrapper the same death arrives as code 137, signal null', shellExit, {
      code: 137,
      signal: null,
    });
    t.equal(
      'exit(137) arrives the same way: 137 alone says neither who killed it nor whether anyone did',
      selfEvent,
      shellExit,
    );
  },
);
