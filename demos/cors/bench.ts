// `npm run bench -- cors`: what a preflight costs in Chromium, side by side in one run —
// a simple GET, a PUT preflighted every time (Max-Age: 0), and a PUT whose preflight is cached
// (Max-Age: 600) — plus the whole demo's wall time.

import { alternate, type Bench, median, ms } from '../kit/bench.ts';
import { runSuffix } from '../kit/endpoints.ts';
import { DemoSession } from '../kit/run.ts';
import { DemoBrowser } from './browser.ts';
import { apiOrigin, originFor } from './cases.ts';
import { demo } from './demo.ts';
import { startApiServer, startPageServer } from './servers.ts';

export const bench: Bench = {
  title: 'cors: the cost of a preflight in Chromium, and the whole demo',
  run: async (report) => {
    const api = await startApiServer();
    const page = await startPageServer();
    const browser = await DemoBrowser.launch();
    try {
      const ports = { api: api.port, page: page.port };
      const from = originFor('A', ports);
      const base = `${apiOrigin('ip', ports)}/c`;
      api.policy('b-simple', { origin: '*' });
      api.policy('b-every', { origin: 'reflect', methods: 'PUT', maxAge: 0 });
      api.policy('b-cached', { origin: 'reflect', methods: 'PUT', maxAge: 600 });
      const run = runSuffix();
      const call = async (path: string, method: string) => {
        const r = await browser.fetchFrom(from, `${base}/${path}/${run}`, { method });
        if (!r.readable) throw new Error(`${path}: ${r.error}`);
      };
      await call('b-cached', 'PUT'); // fills the preflight cache for b-cached
      const [simple, every, cached] = await alternate(60, [
        () => call('b-simple', 'GET'),
        () => call('b-every', 'PUT'),
        () => call('b-cached', 'PUT'),
      ]);
      const m = [simple, every, cached].map((s) => median(s ?? []));
      const [ms0, ms1, ms2] = m as [number, number, number];
      report(
        `simple GET ${ms(ms0)} · PUT + preflight ${ms(ms1)} · PUT, cached preflight ${ms(ms2)}`,
      );
      report(`a preflight every time costs ${(ms1 / ms2).toFixed(2)}× a cached one`);
      report('(60 alternating rounds, medians; each time includes the page.evaluate round trip)');
      const preflights = api.log.filter(
        (l) => l.method === 'OPTIONS' && l.path.includes('b-cached'),
      );
      report(`OPTIONS for the cached PUT: ${preflights.length} in 61 calls`);
    } finally {
      await browser.close();
      await Promise.all([api.close(), page.close()]);
    }
    const started = performance.now();
    const result = await new DemoSession(demo).runAll();
    if (!result.ok) throw new Error('cors demo failed in the bench run');
    report(`whole demo: ${ms(performance.now() - started)} (max-age step waits ~5 s by design)`);
  },
};
