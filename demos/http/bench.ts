// `npm run bench -- http`: N requests over one keep-alive connection, over a new connection each,
// and N concurrent streams on one HTTP/2 (TLS) connection, measured alternately in one run.

import * as http from 'node:http';
import { alternate, type Bench, median, ms } from '../kit/bench.ts';
import { selfSignedCert } from '../kit/cert.ts';
import { closeSession, connect, get, startH2Tls } from './h2.ts';
import { startHttpbin } from './httpbin.ts';

const N = 50;
const ROUNDS = 15;

function sequential(url: string, agent: http.Agent): Promise<void> {
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  return (async () => {
    for (let i = 0; i < N; i++) await one();
    agent.destroy();
  })();
}

export const bench: Bench = {
  title: `http: ${N} requests — one keep-alive connection vs a connection each vs one h2 connection`,
  run: async (report) => {
    const cert = selfSignedCert();
    const bin = await startHttpbin();
    const h2 = await startH2Tls(cert);
    try {
      const url = `${bin.url}/status/200`;
      const connections: number[] = [0, 0, 0];
      const opened = (i: number) => (i < 2 ? bin.connections : h2.counts.connections);
      // Each function also records how many TCP connections its round opened (server count).
      const counted = (i: number, fn: () => Promise<void>) => async () => {
        const start = opened(i);
        await fn();
        connections[i] = opened(i) - start;
      };
      const [keep, fresh, multiplexed] = await alternate(ROUNDS, [
        counted(0, () => sequential(url, new http.Agent({ keepAlive: true, maxSockets: 1 }))),
        counted(1, () => sequential(url, new http.Agent({ keepAlive: false }))),
        counted(2, async () => {
          const session = await connect(h2.url, { ca: cert.cert });
          await Promise.all(Array.from({ length: N }, (_, i) => get(session, `/r/${i}`)));
          await closeSession(session);
        }),
      ]);
      const m = [median(keep ?? []), median(fresh ?? []), median(multiplexed ?? [])];
      const rows: [string, number, number][] = [
        ['HTTP/1.1, one keep-alive connection, sequential', m[0] as number, connections[0] ?? 0],
        ['HTTP/1.1, a new connection per request, sequential', m[1] as number, connections[1] ?? 0],
        ['HTTP/2 over TLS, one connection, all concurrent', m[2] as number, connections[2] ?? 0],
      ];
      report(`${ROUNDS} rounds each, alternating; median wall time per round of ${N} requests`);
      for (const [label, t, c] of rows) {
        report(`${label.padEnd(52)} ${ms(t).padStart(7)}  ${c} TCP connection(s)`);
      }
      const [a, b, c] = m as [number, number, number];
      report(`a new connection per request / keep-alive: ${(b / a).toFixed(2)}×`);
      report(
        `keep-alive sequential / h2 concurrent (h2 includes its TLS handshake): ${(a / c).toFixed(2)}×`,
      );
    } finally {
      await h2.close();
      await bin.close();
    }
  },
};
