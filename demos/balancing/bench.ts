// `npm run bench -- balancing`: what upstream keep-alive saves per proxied request (nginx opening
// a connection per request vs reusing one), measured alternately, and the whole demo's wall time.

import { Agent } from 'node:http';
import { alternate, type Bench, median, ms } from '../kit/bench.ts';
import { DemoSession } from '../kit/run.ts';
import { startBackends } from './backends.ts';
import { demo } from './demo.ts';
import { RunDir } from './instances.ts';
import { location, startNginx, upstream } from './nginx.ts';
import { spread } from './spread.ts';

const N = 200;
const ROUNDS = 9;

export const bench: Bench = {
  title: `balancing: ${N} proxied requests with and without upstream keep-alive; the whole demo`,
  run: async (report) => {
    const run = new RunDir();
    const [backend] = await startBackends(1);
    try {
      if (!backend) throw new Error('no backend');
      const ng = await startNginx(run, 'bench', {
        upstreams: [
          upstream('plain', [backend.address]),
          upstream('pooled', [backend.address], ['keepalive 8']),
        ].join('\n'),
        locations: [
          location('/plain', 'plain'),
          location('/pooled', 'pooled', [
            'proxy_http_version 1.1',
            'proxy_set_header Connection ""',
          ]),
        ].join('\n'),
      });
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const burst = (path: string) => () =>
        spread(`${ng.url}${path}`, N, { kind: 'body' }, () => ({ agent }));
      const [plain = [], pooled = []] = await alternate(ROUNDS, [
        burst('/plain'),
        burst('/pooled'),
      ]);
      agent.destroy();
      report(`no keepalive: median ${ms(median(plain))} for ${N} (${ROUNDS} rounds)`);
      report(`keepalive 8 + HTTP/1.1: median ${ms(median(pooled))} for ${N}`);
      report(
        `ratio: ${(median(plain) / median(pooled)).toFixed(2)}× (whole requests, client to backend and back)`,
      );
    } finally {
      await run.close();
      await backend?.close();
    }
    const started = performance.now();
    const result = await new DemoSession(demo).runAll();
    if (!result.ok) throw new Error('the balancing demo failed in the bench run');
    const slowest = [...result.steps].sort((a, b) => b.ms - a.ms).slice(0, 3);
    report(
      `whole demo in-process: ${ms(performance.now() - started)}; slowest steps ${slowest.map((s) => `${s.id} ${ms(s.ms)}`).join(', ')}`,
    );
  },
};
