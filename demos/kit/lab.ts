// A lab: a broken starting file a learner fixes, the claims that decide whether it is fixed, hints
// keyed to the first claim that fails, a reference solution, and tempting wrong fixes the suite
// proves still fail. One folder per lab, the same in every topic:
//
//   demos/<topic>/labs/<name>/lab.ts          export const lab = defineLab(import.meta.url, {…})
//   demos/<topic>/labs/<name>/start/<files>   what the learner gets (a TODO marks the fault)
//   demos/<topic>/labs/<name>/solution/<files> the reference fix
//   demos/<topic>/labs/<name>/wrong/<case>/<files>  each tempting wrong fix
//
// `check(t, dir)` makes the deciding claims against the files in `dir`, with the topic's own
// helpers (the same code its steps use, never a second copy); it runs in a child process of its
// own (lab-check.ts), so a learner's file that hangs or crashes is contained.

import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type ClaimResult, errorSummary, makeContext } from './context.ts';
import type { StepContext } from './define.ts';
import type { ServiceName } from './endpoints.ts';
import { atInterrupt } from './interrupt.ts';
import { ROOT } from './paths.ts';

/** Hints for one claim: from a nudge to the exact mechanism, revealed one at a time. */
export interface LabHint {
  /** The start of the claim's text (claims are matched by prefix, as the ledger does). */
  claim: string;
  ladder: string[];
}

/** A tempting fix that must still fail: its files in wrong/<case>/, the claim it fails on. */
interface WrongFix {
  case: string;
  /** The start of the first claim it fails. */
  fails: string;
  /** Why it is wrong, in one sentence (the tests check the hint it gets names the claim). */
  why: string;
}

interface LabSpec {
  /** At most 24 characters of a-z0-9-: `npx tsx demos/<topic> lab <id>`. */
  id: string;
  title: string;
  /** The task in one line, as an interviewer or an incident would pose it. */
  task: string;
  /** The heading of notes/<topic>.md the lab practises (its GitHub anchor). */
  section: string;
  /** The files the learner edits, relative to start/. */
  files: string[];
  /** Services, binaries or privileges the check needs (the registry's names). */
  needs?: ServiceName[];
  /** How long one check may run before the learner's code is called hung (default 60 s). */
  timeoutMs?: number;
  /** The deciding claims, made against the files in `dir`. */
  check: (t: StepContext, dir: string) => Promise<void> | void;
  /** The start of the first claim the starting files fail. */
  startFails: string;
  hints: LabHint[];
  wrong: WrongFix[];
}

export interface Lab extends LabSpec {
  topic: string;
  /** The lab's folder: start/, solution/ and wrong/ are in it. */
  folder: string;
  /** Its lab.ts, which the check's child process imports. */
  file: string;
}

/** `export const lab = defineLab(import.meta.url, { … })` in demos/<topic>/labs/<name>/lab.ts. */
export function defineLab(url: string, spec: LabSpec): Lab {
  const file = fileURLToPath(url);
  const folder = dirname(file);
  const topic = folder.split('/').at(-3) ?? '';
  return { ...spec, topic, folder, file };
}

/** The lab names of a topic (its folders under labs/ with a lab.ts), sorted. */
export function labNames(topic: string): string[] {
  const dir = join(ROOT, 'demos', topic, 'labs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'lab.ts')))
    .map((d) => d.name)
    .sort();
}

export async function loadLab(file: string): Promise<Lab> {
  const mod = (await import(pathToFileURL(file).href)) as { lab?: Lab };
  if (!mod.lab) throw new Error(`${file} does not export \`lab\``);
  return mod.lab;
}

export function loadLabs(topic: string): Promise<Lab[]> {
  return Promise.all(
    labNames(topic).map((n) => loadLab(join(ROOT, 'demos', topic, 'labs', n, 'lab.ts'))),
  );
}

/** The hint ladder for a claim, by prefix; undefined when the lab has none for it. */
export function hintsFor(lab: Lab, claim: string): LabHint | undefined {
  return lab.hints.find((h) => claim.startsWith(h.claim));
}

/** What one run of a lab's claims found. */
export interface ClaimsRun {
  claims: ClaimResult[];
  /** What the check threw (a file that does not load, an export that is missing). */
  error?: string;
}

/**
 * Runs the lab's claims against the files in `dir`, then its deferred cleanups. An interrupt of
 * the process (lab-runner.ts: the learner's Ctrl-C) runs the cleanups too, before it exits.
 */
export async function runClaims(lab: Lab, dir: string): Promise<ClaimsRun> {
  const claims: ClaimResult[] = [];
  const deferred: (() => unknown)[] = [];
  const t = makeContext(
    () => undefined,
    claims,
    deferred,
    () => undefined,
  );
  // One drain at a time, last registered first; a cleanup the check registers while an
  // interrupt's drain runs is taken by the next drain.
  let drained = Promise.resolve();
  const drain = () => {
    drained = drained.then(async () => {
      for (let fn = deferred.pop(); fn; fn = deferred.pop())
        await Promise.resolve()
          .then(fn)
          .catch(() => undefined);
    });
    return drained;
  };
  const unregister = atInterrupt(drain);
  try {
    await lab.check(t, dir);
    return { claims };
  } catch (err) {
    return { claims, error: errorSummary(err) };
  } finally {
    await drain();
    unregister();
  }
}
