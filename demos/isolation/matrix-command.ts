// `npx tsx demos/isolation matrix [--engine postgres|mariadb] [--url <url>] [--json]`:
// the anomaly matrix measured on your own server (a scratch table is created and dropped).

import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { endpoints } from '../kit/services.ts';
import { padTable } from '../kit/table.ts';
import { type EngineId, LEVELS, SHORT } from './engines.ts';
import { ANOMALIES } from './expectations.ts';
import { openLab } from './lab.ts';
import { mechanism } from './runner.ts';
import { cell } from './timeline.ts';

const SCHEMES: Record<EngineId, string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mariadb: ['mysql:', 'mariadb:'],
};

export function parseMatrixArgs(argv: string[]): {
  engines: EngineId[];
  url?: string;
  json: boolean;
} {
  const { values, positionals } = parseOptions(argv, {
    engine: { type: 'string' },
    url: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length) throw new UsageError(`matrix: unexpected argument "${positionals[0]}"`);
  const engine = values.engine;
  if (engine !== undefined && engine !== 'postgres' && engine !== 'mariadb') {
    throw new UsageError(`matrix: --engine must be postgres or mariadb, got "${engine}"`);
  }
  const engines: EngineId[] = engine ? [engine] : ['postgres', 'mariadb'];
  const url = values.url;
  if (url !== undefined) {
    if (engines.length !== 1) throw new UsageError('matrix: --url needs --engine');
    let scheme: string;
    try {
      scheme = new URL(url).protocol;
    } catch {
      throw new UsageError(`matrix: --url is not a URL: "${url}"`);
    }
    const ok = SCHEMES[engines[0] as EngineId];
    if (!ok.includes(scheme)) {
      throw new UsageError(`matrix: a ${engines[0]} URL starts with ${ok.join(' or ')}//`);
    }
  }
  return { engines, url, json: values.json === true };
}

export const matrixCommand: Subcommand = {
  name: 'matrix',
  usage: '[--engine postgres|mariadb] [--url <url>] [--json]',
  summary: 'measure the anomaly matrix on a server (default: PG_URL and MARIADB_URL)',
  async run(argv: string[], io: CliIO): Promise<number> {
    const { engines, url, json } = parseMatrixArgs(argv);
    const pgUrl = engines[0] === 'postgres' && url ? url : endpoints.pgUrl;
    const mariadbUrl = engines[0] === 'mariadb' && url ? url : endpoints.mariadbUrl;
    let lab: Awaited<ReturnType<typeof openLab>>;
    try {
      lab = await openLab({ pgUrl, mariadbUrl, only: engines });
    } catch (err) {
      io.err(`demos/isolation matrix: cannot use the database: ${(err as Error).message}`);
      return 2;
    }
    const results: {
      engine: string;
      anomaly: string;
      level: string;
      occurs: boolean;
      how: string;
    }[] = [];
    try {
      for (const e of lab.engines) {
        const rows: string[][] = [];
        for (const a of ANOMALIES) {
          const cells: string[] = [];
          for (const level of LEVELS) {
            const run = await lab.measure(e.id, a.id, level);
            cells.push(cell(run));
            results.push({
              engine: e.id,
              anomaly: a.id,
              level,
              occurs: run.verdict.anomaly,
              how: mechanism(run),
            });
          }
          rows.push([a.id, ...cells]);
        }
        if (!json) {
          io.out(`${e.label}: YES = the anomaly happened; no (how it was stopped)`);
          for (const l of padTable(['anomaly', ...LEVELS.map((l) => SHORT[l])], rows))
            io.out(`  ${l}`);
          io.out('');
        }
      }
    } finally {
      await lab.close();
    }
    if (json) io.out(JSON.stringify({ results }, null, 2));
    return 0;
  },
};
