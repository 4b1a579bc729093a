// What the balancing labs share: the learner's nginx fragment (`upstream` blocks and `location`
// blocks, backends named by placeholders such as `{backend}`) turned into the NginxConfig the
// steps start nginx with, and a run directory tied to the check's lifetime.

import { readFileSync } from 'node:fs';
import type { StepContext } from '../kit/define.ts';
import type { Env } from './env.ts';
import { RunDir, sweepStaleRuns } from './instances.ts';
import { type NginxConfig, nginxBinary, nginxVersion } from './nginx.ts';

/** Splits a fragment into its top-level blocks by brace depth; comments are dropped. */
function topLevelBlocks(text: string): string[] {
  const blocks: string[] = [];
  let depth = 0;
  let current = '';
  for (const line of text.split('\n').map((l) => l.replace(/#.*$/, ''))) {
    if (!line.trim() && depth === 0) continue;
    current += `${line}\n`;
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
    if (depth < 0) throw new Error('the fragment has a `}` with no `{` before it');
    if (depth === 0) {
      blocks.push(current.trim());
      current = '';
    }
  }
  if (depth !== 0) throw new Error('the fragment has a `{` that is never closed');
  return blocks;
}

/** The fragment in `file` with each `{name}` replaced by `addresses[name]`, as nginx config. */
export function readFragment(file: string, addresses: Record<string, string>): NginxConfig {
  const text = readFileSync(file, 'utf8').replace(/\{(\w+)\}/g, (whole, name: string) => {
    const address = addresses[name];
    if (address === undefined) throw new Error(`${file}: no backend named ${whole}`);
    return address;
  });
  const blocks = topLevelBlocks(text);
  const pick = (word: string) => blocks.filter((b) => b.startsWith(`${word} `)).join('\n');
  const other = blocks.find((b) => !/^(upstream|location) /.test(b));
  if (other) throw new Error(`${file}: only upstream and location blocks belong here: ${other}`);
  return { upstreams: pick('upstream'), locations: pick('location') };
}

/** A run directory for one check, stopped (with every nginx in it) when the check ends. */
export function labEnv(t: StepContext): Env {
  const swept = sweepStaleRuns();
  const run = new RunDir();
  t.defer(() => run.close());
  return { run, swept, nginxVersion: nginxVersion(nginxBinary()) };
}
