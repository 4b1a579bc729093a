// What the CORS demo measures differently on different browser versions. The Fetch standard says
// `Access-Control-Allow-Headers: *` never covers Authorization; whether a browser enforces that is
// a property of its version, so the step asserts the value recorded for the running Chromium and
// fails on a version nobody has measured yet.

import type { VersionFact } from '../kit/versions.ts';

const major = (v: string) => Number.parseInt(v, 10);

export const authorizationStarFact: VersionFact = {
  id: 'acah-star-authorization',
  fact: 'a GET with Authorization after a preflight answered `Access-Control-Allow-Headers: *`',
  part: 'chromium',
  cases: [
    {
      when: 'Chromium 156',
      applies: (v) => major(v) === 156,
      value: 'sent, and the page read the response',
      seen: 'Chromium 156.0.8078.114 (Debian 12) on Node 20.20.2, 22.23.5, 24.22.3, 26.12.1',
    },
  ],
};

export const versions: VersionFact[] = [authorizationStarFact];
