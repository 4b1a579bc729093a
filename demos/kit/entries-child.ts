// Runs the entry points (`npx tsx demos/<topic>`, `npx tsx demos`, `npm run services`) as a
// user's process would, many of them in ONE process: bad-input.test.ts spawns this once instead of
// one tsx start per case (62 starts took 70-117 s; this takes a few). Reads the cases as JSON on
// stdin, writes one JSON array of results, one per case, on stdout.
//
// Modules are evaluated once per process, so the order of the cases matters: the test puts first,
// for every entry, a case with every variable junk. That is the first evaluation of each module
// graph, so a module that reads a variable at import time throws there, exactly as it would in a
// user's `npx tsx demos/<topic>`. Every case evaluates only its entry file anew (a query string
// makes it a new module) with the case's argv and environment; each entry awaits its CLI, so the
// import returns when the run is over and process.exitCode is its exit status.

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ROOT } from './paths.ts';

export interface EntryCase {
  /** What a user runs: `demos/<topic>`, `demos` or `services/cli.ts`. */
  entry: string;
  args: string[];
  /** Set on top of this process's environment for the case. */
  env: Record<string, string>;
}

export interface EntryResult {
  /** The exit status the process would have had. */
  code: number;
  stdout: string;
  stderr: string;
}

function entryFile(entry: string): string {
  return entry.endsWith('.ts') ? `${ROOT}${entry}` : `${ROOT}${entry}/index.ts`;
}

/** Collects what the case writes; returns the function that restores the streams. */
function capture(into: EntryResult): () => void {
  const { stdout, stderr } = process;
  const saved = [stdout.write, stderr.write] as const;
  const sink = (key: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array) => {
      into[key] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    }) as typeof stdout.write;
  stdout.write = sink('stdout');
  stderr.write = sink('stderr');
  return () => {
    [stdout.write, stderr.write] = saved;
  };
}

async function runCase(c: EntryCase, index: number, base: NodeJS.ProcessEnv): Promise<EntryResult> {
  const file = entryFile(c.entry);
  process.env = { ...base, ...c.env };
  process.argv = [process.execPath, file, ...c.args];
  process.exitCode = undefined;
  const result: EntryResult = { code: 0, stdout: '', stderr: '' };
  const restore = capture(result);
  try {
    await import(`${pathToFileURL(file).href}?case=${index}`);
    result.code = Number(process.exitCode ?? 0);
  } catch (err) {
    // What Node would print for an uncaught error at import: the stack, and exit 1.
    result.stderr += `${err instanceof Error ? err.stack : String(err)}\n`;
    result.code = 1;
  } finally {
    restore();
  }
  return result;
}

async function main(): Promise<void> {
  const cases = JSON.parse(readFileSync(0, 'utf8')) as EntryCase[];
  const base = { ...process.env };
  const results: EntryResult[] = [];
  for (const [i, c] of cases.entries()) results.push(await runCase(c, i, base));
  process.env = base;
  process.exitCode = 0;
  process.stdout.write(JSON.stringify(results));
}

await main();
