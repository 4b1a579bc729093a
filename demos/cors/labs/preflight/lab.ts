// Lab: the app's credentialed PUT with a JSON body never reaches the API, because nothing answers
// the preflight. Decided in Chromium as the preflight and credentials steps decide it: what the
// API received (OPTIONS, then the PUT or not) and what the page could read (lab-browser.ts).

import { defineLab } from '../../../kit/lab.ts';
import type { FetchInit } from '../../browser.ts';
import { labBrowser } from '../../lab-browser.ts';
import type { BrowserRun } from '../../probe.ts';

const save: FetchInit = {
  method: 'PUT',
  credentials: 'include',
  headers: [['Content-Type', 'application/json']],
  body: '{"name":"Alice"}',
};
const received = (r: BrowserRun) =>
  [...r.preflights, ...r.requests]
    .sort((x, y) => x.at - y.at)
    .map((l) => `${l.method} → ${l.response?.status ?? '(no answer)'}`)
    .join(', ') || 'nothing';

export const lab = defineLab(import.meta.url, {
  id: 'preflight',
  title: 'Let the app PUT JSON',
  task: "The app's PUT with a JSON body and cookies fails while its GETs work: make policy.ts answer the preflight so the PUT is sent.",
  section: 'preflight-requests',
  files: ['policy.ts'],
  needs: ['chromium'],
  timeoutMs: 120_000,
  startFails: "Chromium's preflight passed and the PUT itself was sent after it",
  check: async (t, dir) => {
    const fetchFrom = await labBrowser(t, dir);
    const run = await fetchFrom('lab-put', 'a', save);
    const [pre] = run.preflights;
    t.check(
      "Chromium's preflight passed and the PUT itself was sent after it",
      pre !== undefined && run.requests.length === 1 && (run.requests[0]?.at ?? 0) > pre.at,
      `the API received: ${received(run)}; the preflight asked for ${pre?.headers['access-control-request-method']} with ${pre?.headers['access-control-request-headers']}; Chromium: ${run.outcome.console ?? run.outcome.error ?? 'no error'}`,
    );
    t.check(
      "the app's page read the PUT's answer, made with alice's cookie",
      run.outcome.readable && /data for alice/.test(run.outcome.body ?? ''),
      run.outcome.readable ? `read "${run.outcome.body}"` : `blocked: ${run.outcome.console}`,
    );
  },
  hints: [
    {
      claim: "Chromium's preflight passed and the PUT itself was sent after it",
      ladder: [
        'Chromium asked the API with an OPTIONS first, and the answer did not allow the PUT: the PUT never left the browser.',
        "A PUT and a Content-Type of application/json are not CORS-safelisted (Fetch §2.2.1, §2.2.2): the preflight's answer must list the method in Access-Control-Allow-Methods and the header in Access-Control-Allow-Headers. Headers on the PUT's own answer come too late.",
        "methods: 'PUT' and allowHeaders: 'content-type'. With credentials, `*` there is a literal name, not a wildcard.",
      ],
    },
    {
      claim: "the app's page read the PUT's answer",
      ladder: [
        "The PUT was sent, but the page could not read its answer (or it was not alice's).",
        'The real answer needs its own CORS headers too: the exact origin and Access-Control-Allow-Credentials: true.',
      ],
    },
  ],
  wrong: [
    {
      case: 'star',
      fails: "Chromium's preflight passed and the PUT itself was sent after it",
      why: 'with credentials, * in Access-Control-Allow-Methods and -Headers is a literal name that matches nothing',
    },
    {
      case: 'on-the-put',
      fails: "Chromium's preflight passed and the PUT itself was sent after it",
      why: 'the browser decides from the preflight: allow headers on the real answer arrive after the PUT was refused',
    },
  ],
});
