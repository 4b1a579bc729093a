// `npx tsx demos view [topic] [--port N] [--export <dir>]`: the browser view, or its static export.

import { resolve } from 'node:path';
import { parseOptions, UsageError } from '../args.ts';
import type { CliIO } from '../cli.ts';
import { loadDemos } from '../registry.ts';
import { exportSite } from './export.ts';
import { startView } from './server.ts';

const VIEW_HELP = [
  'Usage: npx tsx demos view [topic] [--port N]        the notes beside live runs, on 127.0.0.1',
  '       npx tsx demos view --export <dir> [topic…]   run every demo once; write a static site',
  '',
  "The view prints its URL and serves until Ctrl-C. Each note is rendered with its steps' panels;",
  '"Run <step>" runs that step on this machine and streams its output into the panel.',
  'The export needs no server: open <dir>/index.html (file:// works).',
];

function port(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new UsageError(`--port must be a port number 0-65535, got "${value}"`);
  }
  return Number(value);
}

export async function viewCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    port: { type: 'string' },
    export: { type: 'string' },
    'no-color': { type: 'boolean' },
  });
  if (values.help) {
    for (const l of VIEW_HELP) io.out(l);
    return 0;
  }
  const all = await loadDemos();
  const unknown = positionals.find((p) => !all.some((d) => d.id === p));
  if (unknown)
    throw new UsageError(`unknown topic "${unknown}" (topics: ${all.map((d) => d.id).join(', ')})`);
  if (values.export !== undefined) {
    if (!values.export) throw new UsageError('--export needs a directory');
    const demos = positionals.length ? all.filter((d) => positionals.includes(d.id)) : all;
    const dir = resolve(values.export);
    const results = await exportSite(demos, dir, (l) => io.err(l));
    for (const r of results) {
      io.out(
        `${r.topic}: ${r.passed}/${r.steps} steps passed${r.problem ? ` — not recorded: ${r.problem}` : ''}`,
      );
    }
    io.out(`wrote ${dir}/index.html`);
    return results.every((r) => !r.problem && r.passed === r.steps) ? 0 : 1;
  }
  if (positionals.length > 1) throw new UsageError('view takes at most one topic');
  let view: Awaited<ReturnType<typeof startView>>;
  try {
    view = await startView(all, port(values.port));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${values.port}: the port is in use`);
    throw err;
  }
  io.out(`wirenotes view: ${view.url}/${positionals[0] ?? ''}`);
  io.out('Ctrl-C stops it.');
  await new Promise<void>((done) => {
    const stop = () => {
      view.close().then(done, done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
