// `npx tsx demos/isolation matrix [--engine postgres|mariadb] [--url <url>] [--json]`: the anomaly
// matrix measured on every configured server that answers (or on your own, with --url), the
// servers side by side under their versions. A scratch table named by runName is created and
// dropped, also on Ctrl-C; tables of runs that died are swept first.

import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';
import { describeMissing, probeAll } from '../kit/endpoints.ts';
import { figureLines } from '../kit/figures.ts';
import { onInterrupt } from '../kit/interrupt.ts';
import { TESTS } from './anomalies.ts';
import { type Kind, LEVELS } from './engines.ts';
import { closeEnv, type Env, openServers, type Target, targets } from './env.ts';
import { matrixFigure } from './show.ts';
import { measureMatrix } from './steps-matrix.ts';

const SCHEMES: Record<Kind, string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mariadb: ['mysql:', 'mariadb:'],
};

const USAGE = '[--engine postgres|mariadb] [--url <url>] [--json]';

export function parseMatrixArgs(argv: string[]): {
  kinds: Kind[];
  url?: string;
  json: boolean;
  help?: true;
} {
  const { values, positionals } = parseOptions(argv, {
    engine: { type: 'string' },
    url: { type: 'string' },
    json: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return { kinds: [], json: false, help: true };
  if (positionals.length) throw new UsageError(`matrix: unexpected argument "${positionals[0]}"`);
  const engine = values.engine;
  if (engine !== undefined && engine !== 'postgres' && engine !== 'mariadb') {
    throw new UsageError(`matrix: --engine must be postgres or mariadb, got "${engine}"`);
  }
  const kinds: Kind[] = engine ? [engine] : ['postgres', 'mariadb'];
  const url = values.url;
  if (url !== undefined) {
    if (!engine) throw new UsageError('matrix: --url needs --engine');
    let scheme: string;
    try {
      scheme = new URL(url).protocol;
    } catch {
      throw new UsageError(`matrix: --url is not a URL: "${url}"`);
    }
    if (!SCHEMES[engine].includes(scheme)) {
      throw new UsageError(`matrix: a ${engine} URL starts with ${SCHEMES[engine].join(' or ')}//`);
    }
  }
  return { kinds, url, json: values.json === true };
}

/** The servers to measure: the one --url names, or every configured one that answers. */
async function chosen(kinds: Kind[], url: string | undefined, io: CliIO): Promise<Target[]> {
  const kind = kinds[0] as Kind;
  if (url) return [{ service: kind, kind, url }];
  const wanted = targets().filter((t) => kinds.includes(t.kind));
  const statuses = await probeAll(wanted.map((t) => t.service));
  for (const s of statuses.filter((x) => !x.ok)) io.err(`skipped: ${describeMissing(s)}`);
  return wanted.filter((t) => statuses.find((s) => s.name === t.service)?.ok);
}

export const matrixCommand: Subcommand = {
  name: 'matrix',
  usage: USAGE,
  summary: 'measure the anomaly matrix on every configured server, or on yours with --url',
  async run(argv: string[], io: CliIO): Promise<number> {
    const { kinds, url, json, help } = parseMatrixArgs(argv);
    if (help) {
      io.out(`Usage: npx tsx demos/isolation matrix ${USAGE}`);
      io.out('Every anomaly test at every level on every configured server that answers (PG_URL,');
      io.out('PG17_URL, MARIADB_URL, MARIADB114_URL), or on yours: --engine with --url. A scratch');
      io.out('table named wn_isolation_… is created and dropped; tables of dead runs are swept.');
      io.out('Exit status: 0 measured, 2 bad input or no server answered.');
      return 0;
    }
    const wanted = await chosen(kinds, url, io);
    if (!wanted.length) {
      io.err('demos/isolation matrix: no database server answered (see the lines above)');
      return 2;
    }
    const stack: string[] = [];
    let env: Env;
    try {
      env = await openServers(wanted, (part, version) => stack.push(`${part} ${version}`));
    } catch (err) {
      io.err(`demos/isolation matrix: cannot use the database: ${(err as Error).message}`);
      return 2;
    }
    const opened = env;
    let interrupted = false;
    const release = onInterrupt(() => {
      interrupted = true;
      return closeEnv(opened);
    }, io.err);
    try {
      for (const { label, count } of env.swept) {
        io.err(`${label}: dropped ${count} table${count > 1 ? 's' : ''} left by runs that died`);
      }
      const measured = await Promise.all(env.servers.map((s) => measureMatrix(env, s)));
      if (json) {
        const results = env.servers.flatMap((s, i) =>
          LEVELS.flatMap((level) =>
            TESTS.map((x) => {
              const cell = measured[i]?.get(level)?.get(x.id) ?? '?';
              return {
                server: s.engine.service,
                version: s.engine.version,
                anomaly: x.id,
                level,
                cell,
                occurs: cell === 'YES',
              };
            }),
          ),
        );
        io.out(JSON.stringify({ results }, null, 2));
        return 0;
      }
      io.out(`Measured on ${stack.join(', ')}.`);
      io.out('YES: the anomaly happened; no: it did not; lock: a session waited for a lock;');
      io.out(
        'a code: a session was refused with that error. ANSI: what SQL-92 says, read broadly.',
      );
      for (const level of LEVELS) {
        const columns = env.servers.map((server, i) => ({
          server,
          cells: measured[i]?.get(level) ?? new Map(),
        }));
        io.out('');
        for (const l of figureLines(matrixFigure(level, TESTS, columns))) io.out(`  ${l}`);
      }
      return 0;
    } catch (err) {
      // Ctrl-C ended the sessions under a running test; the handler exits once they are gone.
      if (interrupted) return 130;
      throw err;
    } finally {
      await closeEnv(env);
      release();
    }
  },
};
