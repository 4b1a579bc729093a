// The services command line, in process: usage mistakes are one line and exit 2; --help exits 0;
// status prints one row per service and per Kafka node, with the checkout that started it.

import { describe, expect, it } from 'vitest';
import { formatStatus, runServicesCli } from './cli.ts';

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runServicesCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('npm run services', () => {
  it('prints help and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/up \[name…\] \[--native \| --docker\]/);
  });

  it.each([
    [[], 'missing command'],
    [['launch'], 'unknown command "launch"'],
    [['up', 'redis'], 'unknown service "redis"'],
    [['up', '--bogus'], "Unknown option '--bogus'"],
    [['up', '--native', '--docker'], '--native and --docker exclude each other'],
    [['stop'], 'stop takes one Kafka node'],
    [['start', 'kafka-9'], 'unknown Kafka node "kafka-9"'],
    [['stop', 'kafka-9'], 'unknown Kafka node "kafka-9"'],
    [['down', 'redis'], 'unknown service "redis"'],
    [['clean', 'kafka'], 'clean takes no names'],
  ])('rejects %j with one line and exit 2', async (argv, message) => {
    const { code, err } = await run(argv as string[]);
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(message);
  });

  it('formats status as an aligned table', () => {
    const lines = formatStatus([
      {
        service: 'kafka-1',
        address: '127.0.0.1:9092',
        up: true,
        startedBy: 'native',
        checkout: '/home/ann/wirenotes/',
      },
      { service: 'postgres', address: '127.0.0.1:5432', up: false, detail: 'ECONNREFUSED' },
    ]);
    expect(lines).toEqual([
      'service   address         state  started by',
      'kafka-1   127.0.0.1:9092  up     native from /home/ann/wirenotes',
      'postgres  127.0.0.1:5432  down   -  (ECONNREFUSED)',
    ]);
  });
});
