// The run's own Prometheus (Debian's 2.42): a data directory in the run's folder, a free port,
// scraping the FastAPI app and the Node app every second. Queries go to its HTTP API
// (/api/v1/query), the one Grafana and alerting use.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../kit/net.ts';
import { findBinary } from '../kit/probes.ts';
import type { Processes, Server } from './procs.ts';

export interface Prometheus {
  server: Server;
  url: string;
  version: string;
  /** An instant query: each series' labels and value. */
  query(expr: string): Promise<Sample[]>;
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

function config(targets: Record<string, number>): string {
  const jobs = Object.entries(targets).map(
    ([job, port]) =>
      `  - job_name: ${job}\n    static_configs:\n      - targets: ['127.0.0.1:${port}']`,
  );
  return [
    'global:',
    '  scrape_interval: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    ...jobs,
    '',
  ].join('\n');
}

export async function startPrometheus(
  procs: Processes,
  dir: string,
  targets: Record<string, number>,
): Promise<Prometheus> {
  const bin = findBinary('prometheus');
  if (!bin) throw new Error('prometheus is not installed (apt-get install prometheus)');
  const home = join(dir, 'prometheus');
  mkdirSync(home, { recursive: true });
  const file = join(home, 'prometheus.yml');
  writeFileSync(file, config(targets));
  const port = await freePort();
  const server = procs.start('prometheus', bin, [
    `--config.file=${file}`,
    `--storage.tsdb.path=${join(home, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  const version = (await server.waitFor(/version=([\d.]+)/))[1] as string;
  await server.waitFor(/Server is ready to receive web requests/, 60_000);
  const url = `http://127.0.0.1:${port}`;
  return {
    server,
    url,
    version,
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: { metric: Record<string, string>; value: [number, string] }[] };
      };
      if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
      return (body.data?.result ?? []).map((r) => ({
        labels: r.metric,
        value: Number(r.value[1]),
      }));
    },
  };
}
