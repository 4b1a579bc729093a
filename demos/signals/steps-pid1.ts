// PID 1 of a PID namespace (what a container's main process is): the signals it ignores, the
// shell wrapper that swallows TERM, `exec` and a small init that do not, and zombies.

import { readdirSync } from 'node:fs';
import { release } from 'node:os';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { endedWithin, exitWithin, type Proc, procState, until } from './harness.ts';
import { inNamespace, type Namespace, nsToolVersions, unshared } from './pidns.ts';
import { answers, describeExit, targetCommand } from './targets.ts';

/** The namespace's stdin and stdout are the target's: a round trip reaches node inside. */
async function readyIn(procs: Env['procs'], command: string[]): Promise<Namespace> {
  const ns = await inNamespace(procs, command);
  await ns.unshare.waitFor(/ready \d+/);
  return ns;
}

const wrapped = (args: string[], tail: string) => [
  'sh',
  '-c',
  `${targetCommand(args).join(' ')}${tail}`,
];

interface Case {
  label: string;
  command: string[];
  /** Whether TERM should end it: then the step waits for the exit, else it pings. */
  ends: boolean;
}

export const pid1Step = step<Env>(
  {
    id: 'pid1',
    section: 'pid-1-is-special',
    title: 'PID 1 in a PID namespace: no handler means TERM is ignored; a shell never forwards it',
    needs: ['pid-namespace', 'tini'],
  },
  async (t, env) => {
    for (const [part, version] of Object.entries(nsToolVersions())) t.uses(part, version);
    const exec = `exec ${targetCommand(['exit-on=TERM']).join(' ')}`;
    const cases: Case[] = [
      { label: 'node, no handler', command: targetCommand(), ends: false },
      {
        label: "sh -c 'node (TERM handler); echo'",
        command: wrapped(['exit-on=TERM'], '; echo after'),
        ends: false,
      },
      { label: "sh -c 'exec node (TERM handler)'", command: ['sh', '-c', exec], ends: true },
      {
        label: 'tini -- node, no handler',
        command: ['tini', '--', ...targetCommand()],
        ends: true,
      },
    ];
    const spaces = await Promise.all(cases.map((c) => readyIn(env.procs, c.command)));
    for (const ns of spaces) process.kill(ns.init, 'SIGTERM');
    const results = await Promise.all(
      spaces.map(async (ns, i) => {
        // The namespace's stdin is node's: a pong comes from node inside, after the signal.
        // Ended, not exited: its output ("caught SIGTERM") is read below.
        const exit = cases[i]?.ends ? await endedWithin(ns.unshare, 5000) : undefined;
        const alive = exit === undefined && (await answers(ns.unshare));
        return { ns, alive, exit, members: ns.members() };
      }),
    );
    t.figure({
      kind: 'matrix',
      title: 'kill -TERM <host pid of the namespace init>',
      columns: ['after TERM', 'its output'],
      rows: results.map((r, i) => ({
        label: `PID 1: ${cases[i]?.label ?? ''}`,
        cells: [
          r.alive ? 'still running (answers ping)' : describeExit(r.exit),
          /caught.*/.exec(r.ns.unshare.output())?.[0] ?? '',
        ],
      })),
    });
    const [bare, shell, execd, tini] = results;
    t.check(
      'node as PID 1 without a TERM handler ignores TERM: it still answers',
      bare?.alive === true,
    );
    t.check(
      'sh as PID 1 ignores TERM and never forwards it: node inside, with a handler, still answers',
      shell?.alive === true && !shell.ns.unshare.output().includes('caught'),
      shell?.ns.unshare.output(),
    );
    t.block(shell?.members.map((m) => `${m.nsPid} ${m.state} ${m.command}`) ?? []);
    t.check(
      'with exec, node is PID 1 itself: its handler runs and it exits 0',
      execd?.ns.unshare.output().includes('caught SIGTERM') === true && execd.exit?.code === 0,
      describeExit(execd?.exit),
    );
    t.equal(
      'tini as PID 1 forwards TERM: node dies by its default action and tini exits 143 (128 + 15)',
      describeExit(tini?.exit),
      'exit code 143',
    );
    process.kill(bare?.ns.init ?? 0, 'SIGKILL');
    const killedInit = await exitWithin(bare?.ns.unshare as Proc, 5000);
    t.check(
      'SIGKILL from the parent namespace does kill PID 1 (the kernel forces KILL and STOP through)',
      killedInit !== undefined && procState(bare?.ns.init ?? 0) === undefined,
      describeExit(killedInit),
    );
    const inside = unshared(env.procs, ['sh', '-c', 'sh -c "kill -KILL 1"; echo "PID 1 survived"']);
    // Ended, not exited: the exit can come before "PID 1 survived" has been read.
    const insideExit = await endedWithin(inside, 5000);
    t.check(
      'SIGKILL sent from inside the namespace to its PID 1 is ignored: the shell goes on and exits 0',
      inside.output().includes('PID 1 survived') && insideExit?.code === 0,
      `${inside.output().trim()} ${describeExit(insideExit)}`,
    );
    const kinds = readdirSync('/proc/self/ns').filter((n) => !n.endsWith('_for_children'));
    t.uses('linux', release());
    t.show('namespace types (/proc/self/ns)', kinds.join(' '));
    t.equal(
      `Linux ${release().split('-')[0]} has eight namespace types, time (Linux 5.6) among them`,
      kinds.length === 8 && kinds.includes('time'),
      true,
    );
    // The shell case is still up: its node waits for a TERM that never comes.
    process.kill(shell?.ns.init ?? 0, 'SIGKILL');
    await exitWithin(shell?.ns.unshare as Proc, 5000);
  },
);

export const zombiesStep = step<Env>(
  {
    id: 'zombies',
    section: 'zombies-and-reaping',
    title: 'An orphan that exits stays a zombie (Z) under a PID 1 that never waits; tini reaps it',
    needs: ['pid-namespace', 'tini'],
  },
  async (t, env) => {
    // The subshell starts `sleep 0.2` and exits at once: the short sleep is an orphan, adopted by
    // PID 1. `exec sleep 30` makes PID 1 a program that never calls wait().
    const script = '(sleep 0.2 &); exec sleep 30';
    const plain = await inNamespace(env.procs, ['sh', '-c', script]);
    const reaped = await inNamespace(env.procs, ['tini', '--', 'sh', '-c', script]);
    // The orphan's zombie is `[sleep]`. The subshell is a zombie too for a moment, `[sh]`, until
    // the shell (still PID 1 before its exec) reaps it: on a loaded CI line that moment was taken
    // for the orphan, and it was gone by the next look.
    const zombie = await until('a zombie under sleep 30', () =>
      plain.members().find((m) => m.state.startsWith('Z') && m.command === '[sleep]'),
    );
    const settled = await until('tini to reap the orphan', () => {
      const m = reaped.members();
      return m.length === 2 && m.every((x) => !x.state.startsWith('Z')) ? m : undefined;
    });
    const still = plain.members();
    t.table(
      ['PID 1', 'processes in the namespace (pid state command)'],
      [
        [
          'sleep 30 (via exec)',
          still.map((m) => `${m.nsPid} ${m.state[0]} ${m.command}`).join('; '),
        ],
        ['tini', settled.map((m) => `${m.nsPid} ${m.state[0]} ${m.command}`).join('; ')],
      ],
    );
    t.equal(
      'the orphan, once exited, is a zombie: /proc says "Z (zombie)"',
      zombie.state,
      'Z (zombie)',
    );
    t.check(
      'it is still a zombie after tini, in the other namespace, has reaped its own orphan',
      still.some((m) => m.hostPid === zombie.hostPid && m.state.startsWith('Z')),
    );
    t.equal(
      'under tini only tini and sleep 30 are left: tini called wait() for the orphan',
      settled.map((m) => m.nsPid),
      [1, 2],
    );
    process.kill(plain.init, 'SIGKILL');
    await exitWithin(plain.unshare, 5000);
    t.check(
      'when PID 1 dies the namespace goes with it, zombie and all',
      procState(zombie.hostPid) === undefined,
    );
    process.kill(reaped.init, 'SIGKILL');
  },
);
