// What the HTTP demo measures differently on different Node lines: what Node's built-in fetch
// (the undici bundled with Node) sends, and whether Node has QUIC. Each case names the versions it
// was measured on; a version no case covers fails its step until someone measures it.

import { atLeast, type VersionFact } from '../kit/versions.ts';

const major = (v: string) => Number.parseInt(v, 10);

export const fetchEncodingFact: VersionFact = {
  id: 'fetch-accept-encoding',
  fact: "Accept-Encoding of Node's built-in fetch over https",
  part: 'node undici',
  cases: [
    {
      when: 'undici 6-7 (Node 20, 22, 24)',
      applies: (v) => atLeast(v, '6') && !atLeast(v, '8'),
      value: 'br, gzip, deflate',
      seen: 'Node 20.20.2 (undici 6.24.1), 22.23.5 (6.29.1), 24.22.3 (7.30.2)',
    },
    {
      when: 'undici 8 (Node 26)',
      applies: (v) => atLeast(v, '8') && !atLeast(v, '9'),
      value: 'br, gzip, deflate, zstd',
      seen: 'Node 26.12.1 (undici 8.12.2)',
    },
  ],
};

export const quicFact: VersionFact = {
  id: 'node-quic',
  fact: '`--experimental-quic` and `node:quic` in the official Node binary',
  part: 'node',
  cases: [
    {
      when: 'Node 20, 22',
      applies: (v) => major(v) === 20 || major(v) === 22,
      value: 'no --experimental-quic option',
      seen: 'Node 20.20.2, 22.23.5',
    },
    {
      when: 'Node 24, 26',
      applies: (v) => major(v) === 24 || major(v) === 26,
      value:
        '--experimental-quic accepted, node:quic absent (ERR_UNKNOWN_BUILTIN_MODULE; process.features.quic false)',
      seen: 'Node 24.22.3, 26.12.1',
    },
  ],
};

export const versions: VersionFact[] = [fetchEncodingFact, quicFact];
