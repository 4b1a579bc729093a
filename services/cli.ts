// `npm run services -- up|down|status|clean [name…] | stop|start <kafka-N>` — see --help.
// Exit codes: 0 done, 1 a service could not be started or stopped, 2 bad usage (an unknown name,
// a junk environment variable). A bug prints one line and where its trace was written.

import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, UsageError } from '../demos/kit/args.ts';
import { checkEnvironment } from '../demos/kit/endpoints.ts';
import { stateDir } from '../demos/kit/variables.ts';
import {
  down,
  launcherFor,
  type Mode,
  SERVICES,
  ServiceError,
  type StatusRow,
  startNode,
  status,
  stopNode,
  up,
} from './api.ts';
import { clean } from './clean.ts';
import { findNode } from './kafka-node.ts';
import { defaultLayout } from './layout.ts';
import { withLease } from './lease.ts';
import { normalize } from './state.ts';

function help(): string[] {
  const natives = SERVICES.flatMap((s) => {
    const l = launcherFor(s);
    return l ? [`  ${s.padEnd(12)}${l.summary}`] : [];
  });
  return [
    'Services for the wirenotes demos: a 3-node Kafka, PostgreSQL, MariaDB and nginx.',
    '',
    'Usage:',
    '  npm run services -- up [name…] [--native | --docker]   start what is not running, wait ready',
    '  npm run services -- status [name…]                      one row per service and Kafka node',
    '  npm run services -- down [name…]                        stop what `npm run services` started',
    '  npm run services -- stop <kafka-N>                      stop one Kafka node (failover demos)',
    '  npm run services -- start <kafka-N>                     start it again, wait for its metadata',
    "  npm run services -- clean                               remove dead runs' topics, groups, tables",
    '',
    `Names: ${SERVICES.join(', ')} (default: all); Kafka nodes: kafka-1, kafka-2, kafka-3.`,
    ...(natives.length ? ['Started natively from fetched binaries:', ...natives] : []),
    'With a Docker engine `up` runs `docker compose up -d --wait`; without one it starts Kafka',
    'from its Maven jars and the system nginx, and uses the PostgreSQL/MariaDB already running.',
    '  --native   never use Docker          --docker   use Docker or fail',
    '`down` (of Kafka) and `stop` wait until no demo holds the kafka lease, saying for whom.',
    '',
    'Endpoints (env): KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094',
    '  PG_URL=postgres://postgres@127.0.0.1:5432/postgres  MARIADB_URL=mysql://root@127.0.0.1:3306/test',
    '  NGINX_URL=http://127.0.0.1:8080  NGINX_TLS_PORT=8443  NGINX_CA_FILE=<state>/nginx/certs/ca.pem',
    'State (per user, shared by every checkout: records, data, logs, the nginx CA):',
    `  WIRENOTES_STATE_DIR, default $XDG_STATE_HOME/wirenotes (here ${safeStateDir()});`,
    '  downloads (Kafka jars, server binaries): $XDG_CACHE_HOME/wirenotes.',
    'Exit status: 0 done, 1 a service failed, 2 bad usage.',
  ];
}

function safeStateDir(): string {
  try {
    return stateDir();
  } catch (err) {
    return `invalid: ${(err as Error).message}`;
  }
}

export interface ServicesIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  native: { type: 'boolean' },
  docker: { type: 'boolean' },
} as const;

export function formatStatus(rows: StatusRow[]): string[] {
  const head = ['service', 'address', 'state', 'started by'];
  const cells = rows.map((r) => [
    r.service,
    r.address,
    r.up ? 'up' : 'down',
    `${r.startedBy ?? '-'}${r.checkout ? ` from ${r.checkout.replace(/\/$/, '')}` : ''}${r.detail ? `  (${r.detail})` : ''}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)];
}

export async function runServicesCli(argv: string[], io: ServicesIO): Promise<number> {
  try {
    const { values, positionals } = parseOptions(argv, FLAGS);
    const [command, ...names] = positionals;
    if (values.help || command === 'help') {
      for (const l of help()) io.out(l);
      return 0;
    }
    checkEnvironment();
    if (values.native && values.docker)
      throw new UsageError('--native and --docker exclude each other');
    const mode: Mode = values.native ? 'native' : values.docker ? 'docker' : 'auto';
    const report = (l: string) => io.out(l);
    switch (command) {
      case 'up': {
        await up(names, { mode, report });
        return 0;
      }
      case 'status': {
        for (const l of formatStatus(await status(names))) io.out(l);
        return 0;
      }
      case 'down': {
        // Not from under a running demo: stopping Kafka waits until no run holds its lease.
        const stopsKafka = normalize(names, SERVICES).includes('kafka');
        const stopped = stopsKafka
          ? await withLease('kafka', () => down(names, { report }), {
              exclusive: true,
              onWait: report,
            })
          : await down(names, { report });
        io.out(
          stopped.length
            ? `stopped: ${stopped.join(', ')}`
            : 'nothing this command started is running',
        );
        return 0;
      }
      case 'stop':
      case 'start': {
        if (names.length !== 1)
          throw new UsageError(`${command} takes one Kafka node, e.g. kafka-2`);
        const node = names[0] as string;
        if (command === 'stop') {
          findNode(node, defaultLayout());
          await withLease('kafka', () => stopNode(node, { report }), {
            exclusive: true,
            onWait: report,
          });
        } else await startNode(node, { report });
        io.out(`${node}: ${command === 'stop' ? 'stopped' : 'up'}`);
        return 0;
      }
      case 'clean': {
        if (names.length) throw new UsageError('clean takes no names: it sweeps every service');
        const { lines, removed } = await clean({ report });
        for (const l of lines) io.out(`  ${l}`);
        io.out(`removed ${removed} leftovers of dead runs`);
        return 0;
      }
      case undefined:
        throw new UsageError(
          'missing command: up, down, status, stop, start or clean (see --help)',
        );
      default:
        throw new UsageError(
          `unknown command "${command}": up, down, status, stop, start or clean`,
        );
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`services: ${err.message}`);
      return 2;
    }
    if (err instanceof ServiceError) {
      io.err(`services: ${err.message}`);
      return 1;
    }
    // A bug: one line, and the trace in a file for the report.
    const file = join(tmpdir(), `wirenotes-services-error-${process.pid}.log`);
    writeFileSync(
      file,
      `${new Date().toISOString()} ${process.argv.join(' ')}\n${(err as Error).stack ?? String(err)}\n`,
    );
    io.err(
      `services: internal error: ${(err as Error).message ?? String(err)} (full trace in ${file})`,
    );
    return 1;
  }
}

// By path, not URL: the bad-input test's one process imports this file with a query string.
if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) {
  process.exitCode = await runServicesCli(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
