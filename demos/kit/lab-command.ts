// `npx tsx demos/<topic> lab [<name>] [--check|--watch|--hint|--solution|--reset] [--dir D]`:
// the topic's labs, a workspace with the starting files, the check with ✓/✗ and the next hint,
// re-checking on save, the reference as a diff, and a reset. Exit status: 0 solved (or done),
// 1 not solved yet, 2 bad usage, a missing workspace or a missing service.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseOptions, UsageError } from './args.ts';
import type { CliIO } from './cli.ts';
import { claimLine } from './context.ts';
import { describeMissing, probeAll } from './endpoints.ts';
import { onInterrupt } from './interrupt.ts';
import { hintsFor, type Lab, labNames, loadLabs } from './lab.ts';
import { checkLab, type LabVerdict } from './lab-check.ts';
import { hintsUsed, progressOf, saveProgress } from './lab-progress.ts';
import { ROOT } from './paths.ts';

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  check: { type: 'boolean' },
  watch: { type: 'boolean' },
  hint: { type: 'boolean' },
  solution: { type: 'boolean' },
  reset: { type: 'boolean' },
  yes: { type: 'boolean' },
  json: { type: 'boolean' },
  dir: { type: 'string' },
  'no-color': { type: 'boolean' },
} as const;

const ACTIONS = ['check', 'watch', 'hint', 'solution', 'reset'] as const;

function help(topic: string): string[] {
  const cmd = `npx tsx demos/${topic} lab`;
  return [
    `Usage: ${cmd}                        the labs: each task, and whether you solved it`,
    `       ${cmd} <name> [--dir D]       copy the starting files into a workspace; print the task`,
    `       ${cmd} <name> --check [--json]  check your files: ✓/✗ per claim and the next hint`,
    `       ${cmd} <name> --watch         check again each time you save`,
    `       ${cmd} <name> --hint          the next hint for the first claim that fails`,
    `       ${cmd} <name> --solution [--yes]  the diff from your files to the reference (asks first)`,
    `       ${cmd} <name> --reset         the starting files again (yours kept as <file>.~N~)`,
    '',
    'The workspace is ./wirenotes-labs/<topic>/<name>/ unless --dir says otherwise; progress is',
    'kept per user in the state folder (WIRENOTES_STATE_DIR). Your files run with your rights, in',
    "a process group of their own, killed after the lab's time limit or on Ctrl-C.",
    'Exit status: 0 solved (or done), 1 not solved yet, 2 bad usage or a missing service.',
  ];
}

/** The learner's workspace, never inside the checkout's tracked files. */
function workspace(topic: string, name: string, dir: string | undefined): string {
  const ws = resolve(dir ?? join(process.cwd(), 'wirenotes-labs', topic, name));
  const inCheckout = !relative(ROOT, ws).startsWith('..');
  const ignored = !relative(join(ROOT, 'wirenotes-labs'), ws).startsWith('..');
  if (inCheckout && !ignored)
    throw new UsageError(
      `--dir ${dir}: a workspace inside the checkout must be under wirenotes-labs/ (git ignores it)`,
    );
  return ws;
}

function copyFiles(lab: Lab, from: string, to: string): void {
  for (const f of lab.files) {
    mkdirSync(dirname(join(to, f)), { recursive: true });
    copyFileSync(join(lab.folder, from, f), join(to, f));
  }
}

/** `--check` as the view runs it: the workspace must exist; the claims and hint are printed. */
export function checkAndReport(lab: Lab, ws: string, io: CliIO): Promise<LabVerdict> {
  needWorkspace(lab, ws);
  return runCheck(lab, ws, io, false);
}

function needWorkspace(lab: Lab, ws: string): void {
  if (!lab.files.every((f) => existsSync(join(ws, f))))
    throw new UsageError(
      `no workspace at ${ws}: start the lab with \`npx tsx demos/${lab.topic} lab ${lab.id}\``,
    );
}

/** The hint at `rung` (1-based) for the claim that failed, with its position in the ladder. */
function hintText(lab: Lab, v: LabVerdict, rung: number): string | undefined {
  if (!v.failing) return undefined;
  const ladder = hintsFor(lab, v.failing.text)?.ladder ?? [
    'Your files did not get as far as the claims: read the message above (a file that does not load, a missing export, a loop that never ends).',
  ];
  const at = Math.min(Math.max(rung, 1), ladder.length);
  return `hint ${at}/${ladder.length}: ${ladder[at - 1]}`;
}

async function runCheck(lab: Lab, ws: string, io: CliIO, json: boolean, advance = false) {
  const missing = (await probeAll(lab.needs ?? [])).filter((s) => !s.ok);
  if (missing.length) throw new UsageError(missing.map(describeMissing).join('; '));
  const controller = new AbortController();
  const running = checkLab(lab, ws, controller.signal);
  // Ctrl-C: the check cleans up (its servers, topics, a paused standby), then this process exits.
  const release = onInterrupt(async () => {
    controller.abort();
    await running.catch(() => undefined);
  }, io.err);
  let v: LabVerdict;
  try {
    v = await running;
  } finally {
    release();
  }
  // An interrupted check has no verdict to report: the interrupt handler exits the process.
  if (controller.signal.aborted) return new Promise<never>(() => undefined);
  const p = progressOf(lab.topic, lab.id);
  let hint: string | undefined;
  if (v.failing) {
    const key = hintsFor(lab, v.failing.text)?.claim ?? v.failing.text;
    const rung = Math.max(p.hints[key] ?? 0, 1) + (advance && p.hints[key] ? 1 : 0);
    p.hints[key] = rung;
    hint = hintText(lab, v, rung);
  } else if (v.solved) p.solved ??= new Date().toISOString();
  saveProgress(lab.topic, lab.id, p);
  if (json) {
    io.out(JSON.stringify({ lab: `${lab.topic}/${lab.id}`, ok: v.solved, claims: v.claims, hint }));
    return v;
  }
  const { paint } = io.style;
  io.out(`lab ${lab.topic}/${lab.id}: ${lab.title}`);
  for (const c of v.claims)
    io.out(`  ${claimLine(c, (ok) => paint(ok ? 'green' : 'red', ok ? '✓' : '✗'))}`);
  if (hint) io.out(paint('yellow', `  ${hint}`));
  io.out(
    v.solved
      ? paint(
          'green',
          `solved ✓ — \`npx tsx demos/${lab.topic} lab ${lab.id} --solution\` shows the reference`,
        )
      : `not solved yet: fix the first ✗ and check again (\`--hint\` for the next hint)`,
  );
  return v;
}

function listLabs(topic: string, labs: Lab[], io: CliIO): number {
  if (!labs.length) {
    io.out(`demos/${topic} has no labs yet`);
    return 0;
  }
  for (const lab of labs) {
    const p = progressOf(topic, lab.id);
    const state = p.solved ? io.style.paint('green', 'solved') : 'not solved';
    const hints = hintsUsed(p) ? `, ${hintsUsed(p)} hints` : '';
    io.out(`${lab.id.padEnd(24)} ${state}${hints}`);
    io.out(`${''.padEnd(24)} ${lab.task}`);
  }
  io.out('');
  io.out(`Start one with \`npx tsx demos/${topic} lab <name>\`.`);
  return 0;
}

/**
 * The workspace resolves packages (jose, pg…) from the checkout, as the lab's own files do: a
 * node_modules link to the checkout's, and a package.json that makes its .ts files ES modules.
 */
function linkPackages(ws: string): void {
  const modules = join(ws, 'node_modules');
  if (!existsSync(modules)) symlinkSync(join(ROOT, 'node_modules'), modules, 'dir');
  const pkg = join(ws, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, '{ "private": true, "type": "module" }\n');
}

function start(lab: Lab, ws: string, io: CliIO): number {
  const fresh = !lab.files.every((f) => existsSync(join(ws, f)));
  if (fresh) copyFiles(lab, 'start', ws);
  linkPackages(ws);
  io.out(`lab ${lab.topic}/${lab.id}: ${lab.title}`);
  io.out(`task: ${lab.task}`);
  io.out(`note: notes/${lab.topic}.md#${lab.section}`);
  io.out(`${fresh ? 'your files' : 'your files (already there, kept)'}:`);
  for (const f of lab.files) io.out(`  ${join(ws, f)}`);
  const dirFlag =
    ws === resolve(join(process.cwd(), 'wirenotes-labs', lab.topic, lab.id)) ? '' : ` --dir ${ws}`;
  io.out(`check: npx tsx demos/${lab.topic} lab ${lab.id} --check${dirFlag}  (or --watch)`);
  return 0;
}

function reset(lab: Lab, ws: string, io: CliIO): number {
  needWorkspace(lab, ws);
  for (const f of lab.files) {
    let n = 1;
    while (existsSync(join(ws, `${f}.~${n}~`))) n++;
    renameSync(join(ws, f), join(ws, `${f}.~${n}~`));
    io.out(`kept yours as ${join(ws, `${f}.~${n}~`)}`);
  }
  copyFiles(lab, 'start', ws);
  saveProgress(lab.topic, lab.id, { ...progressOf(lab.topic, lab.id), hints: {} });
  io.out(`the starting files are back in ${ws}`);
  return 0;
}

async function solution(lab: Lab, ws: string, yes: boolean, io: CliIO): Promise<number> {
  needWorkspace(lab, ws);
  if (!yes) {
    if (!process.stdin.isTTY)
      throw new UsageError('--solution shows the answer: add --yes to confirm');
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = await rl.question('Show the reference solution? [y/N] ');
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) return 0;
  }
  for (const f of lab.files) {
    const r = spawnSync(
      'diff',
      [
        '-u',
        '--label',
        `yours/${f}`,
        '--label',
        `solution/${f}`,
        join(ws, f),
        join(lab.folder, 'solution', f),
      ],
      { encoding: 'utf8' },
    );
    if (r.error) io.out(readFileSync(join(lab.folder, 'solution', f), 'utf8'));
    else io.out(r.stdout || `${f}: the same as the reference`);
  }
  return 0;
}

const fileHash = (lab: Lab, ws: string) =>
  createHash('sha256')
    .update(
      lab.files.map((f) => (existsSync(join(ws, f)) ? readFileSync(join(ws, f)) : '')).join('\0'),
    )
    .digest('hex');

/** Checks now, then again whenever the files' content changes (editors save by rename). */
async function watchLab(lab: Lab, ws: string, io: CliIO): Promise<number> {
  needWorkspace(lab, ws);
  let last = fileHash(lab, ws);
  await runCheck(lab, ws, io, false);
  io.out(`watching ${ws} (Ctrl-C to stop)`);
  return new Promise<number>((done) => {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    const watcher = watch(ws, () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const now = fileHash(lab, ws);
        if (now === last || running) return;
        last = now;
        running = true;
        io.out('');
        try {
          await runCheck(lab, ws, io, false);
        } catch (err) {
          io.err(`lab: ${(err as Error).message}`);
        }
        running = false;
      }, 150);
    });
    // Ctrl-C: stop watching; a check in flight is killed with its process group (runCheck).
    onInterrupt(async () => {
      watcher.close();
      clearTimeout(timer);
      done(130);
    }, io.err);
  });
}

/** `npx tsx demos/<topic> lab …` (kit/cli.ts loads this module when the subcommand runs). */
export async function labMain(topic: string, argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(argv, FLAGS);
  if (values.help) {
    for (const l of help(topic)) io.out(l);
    return 0;
  }
  const chosen = ACTIONS.filter((a) => values[a]);
  if (chosen.length > 1)
    throw new UsageError(`--${chosen[0]} and --${chosen[1]} exclude each other`);
  const [name, extra] = positionals;
  if (extra) throw new UsageError(`unexpected argument "${extra}" (see lab --help)`);
  const labs = await loadLabs(topic);
  if (!name) {
    if (chosen.length) throw new UsageError(`--${chosen[0]} needs a lab name (see lab --help)`);
    return listLabs(topic, labs, io);
  }
  const lab = labs.find((l) => l.id === name);
  if (!lab)
    throw new UsageError(`unknown lab "${name}" (labs: ${labNames(topic).join(', ') || 'none'})`);
  const ws = workspace(topic, name, values.dir);
  switch (chosen[0]) {
    case 'check':
      needWorkspace(lab, ws);
      return (await runCheck(lab, ws, io, values.json === true)).solved ? 0 : 1;
    case 'hint':
      needWorkspace(lab, ws);
      return (await runCheck(lab, ws, io, values.json === true, true)).solved ? 0 : 1;
    case 'watch':
      return watchLab(lab, ws, io);
    case 'solution':
      return solution(lab, ws, values.yes === true, io);
    case 'reset':
      return reset(lab, ws, io);
    default:
      return start(lab, ws, io);
  }
}
