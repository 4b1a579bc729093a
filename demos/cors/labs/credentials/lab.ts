// Lab: an API that echoes any Origin with credentials, so a sibling page reads a logged-in user's
// data (PortSwigger's "basic origin reflection"). Decided in Chromium, as the credentials, holes
// and vary steps decide it: the demo's API answers by the learner's policy (lab-browser.ts).

import { defineLab } from '../../../kit/lab.ts';
import { labBrowser } from '../../lab-browser.ts';
import type { BrowserRun } from '../../probe.ts';

const withCookies = { method: 'GET', credentials: 'include' } as const;
const seen = (r: BrowserRun) =>
  r.outcome.readable
    ? `read ${r.outcome.status} "${r.outcome.body}"`
    : `blocked: ${r.outcome.console ?? r.outcome.error}`;

export const lab = defineLab(import.meta.url, {
  id: 'credentials',
  title: 'Only the app reads with cookies',
  task: "A page on evil.example.test read alice's account from her browser: make policy.ts let only the app's origin read, with her cookie.",
  section: 'credentials',
  files: ['policy.ts'],
  needs: ['chromium'],
  timeoutMs: 120_000,
  startFails: 'a page on evil.example.test (same site, another origin) could not read the answer',
  check: async (t, dir) => {
    const fetchFrom = await labBrowser(t, dir);
    const app = await fetchFrom('lab-app', 'a', withCookies);
    t.check(
      "the app's page read alice's data, sent with her cookie",
      app.outcome.readable && /data for alice/.test(app.outcome.body ?? ''),
      seen(app),
    );
    const evil = await fetchFrom('lab-evil', 'evil', withCookies);
    t.check(
      'a page on evil.example.test (same site, another origin) could not read the answer',
      !evil.outcome.readable,
      seen(evil),
    );
    t.match(
      'the answer carried Vary: Origin (its Access-Control-Allow-Origin depends on the Origin)',
      app.requests[0]?.response?.headers.vary ?? '(no Vary)',
      /\borigin\b/i,
    );
  },
  hints: [
    {
      claim: "the app's page read alice's data",
      ladder: [
        "The app's own page could not read the answer to its credentialed fetch.",
        "The Fetch standard's CORS check: with credentials, Access-Control-Allow-Origin must be the page's exact origin — `*` is refused — and Access-Control-Allow-Credentials must be `true`.",
        'origin: [app] (the exact origin, no wildcard) with credentials: true.',
      ],
    },
    {
      claim: 'a page on evil.example.test (same site, another origin) could not read the answer',
      ladder: [
        "A page on evil.example.test read alice's answer: your policy allowed its origin.",
        'Echoing the Origin, or matching a pattern, trusts pages you do not control; a sibling subdomain is same-site, so the SameSite=Lax cookie goes with it (notes/cors.md, "Origin policies with holes").',
        'Allow the exact origins you mean, as a list: origin: [app].',
      ],
    },
    {
      claim: 'the answer carried Vary: Origin',
      ladder: [
        'Your answer depends on the Origin but does not say so.',
        'Without Vary: Origin a shared or browser cache hands one origin the answer meant for another (the vary step shows Chromium doing it).',
        'vary: true.',
      ],
    },
  ],
  wrong: [
    {
      case: 'star',
      fails: "the app's page read alice's data",
      why: 'Access-Control-Allow-Origin: * is never enough for a request with credentials: the browser blocks even the app',
    },
    {
      case: 'subdomains',
      fails: 'a page on evil.example.test (same site, another origin) could not read the answer',
      why: 'a pattern for every subdomain admits evil.example.test, and a same-site page gets the cookie',
    },
  ],
});
