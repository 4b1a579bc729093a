// `npm run services -- up|down|status [name…] | stop|start <kafka-N>` — see --help.
// Exit codes: 0 done, 1 a service could not be started or stopped, 2 bad usage.

import { pathToFileURL } from 'node:url';
import { parseOptions, UsageError } from '../demos/kit/args.ts';
import {
  down,
  type Mode,
  SERVICES,
  ServiceError,
  type StatusRow,
  startNode,
  status,
  stopNode,
  up,
} from './api.ts';

const HELP = [
  'Services for the wirenotes demos: a 3-node Kafka, PostgreSQL, MariaDB and nginx.',
  '',
  'Usage:',
  '  npm run services -- up [name…] [--native | --docker]   start what is not running, wait ready',
  '  npm run services -- status [name…]                      one row per service and Kafka node',
  '  npm run services -- down [name…]                        stop only what this command started',
  '  npm run services -- stop <kafka-N>                      stop one Kafka node (failover demos)',
  '  npm run services -- start <kafka-N>                     start it again, wait for its metadata',
  '',
  `Names: ${SERVICES.join(', ')} (default: all); Kafka nodes: kafka-1, kafka-2, kafka-3.`,
  'With a Docker engine `up` runs `docker compose up -d --wait`; without one it starts Kafka',
  'from its Maven jars and the system nginx, and uses the PostgreSQL/MariaDB already running.',
  '  --native   never use Docker          --docker   use Docker or fail',
  '',
  'Endpoints (env): KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094',
  '  PG_URL=postgres://postgres@127.0.0.1:5432/postgres  MARIADB_URL=mysql://root@127.0.0.1:3306/test',
  '  NGINX_URL=http://127.0.0.1:8080  NGINX_TLS_PORT=8443  NGINX_CA_FILE=<cache>/nginx/certs/ca.pem',
  'State, logs, jars, certificates: .cache/services/.',
  'Exit status: 0 done, 1 a service failed, 2 bad usage.',
];

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
    `${r.startedBy ?? '-'}${r.detail ? `  (${r.detail})` : ''}`,
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
      for (const l of HELP) io.out(l);
      return 0;
    }
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
        const stopped = await down(names, { report });
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
        if (command === 'stop') await stopNode(node, { report });
        else await startNode(node, { report });
        io.out(`${node}: ${command === 'stop' ? 'stopped' : 'up'}`);
        return 0;
      }
      case undefined:
        throw new UsageError('missing command: up, down, status, stop or start (see --help)');
      default:
        throw new UsageError(`unknown command "${command}": up, down, status, stop or start`);
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
    io.err(`services: ${(err as Error).stack ?? String(err)}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await runServicesCli(process.argv.slice(2), {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
  });
}
