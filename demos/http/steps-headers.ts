// The headers a client sends, as the server received them: Node's built-in fetch and the undici
// package (over http and https), node:http, a raw socket and node:http2.

import * as https from 'node:https';
import { createRequire } from 'node:module';
import { Agent, fetch as undiciFetch } from 'undici';
import { step } from '../kit/define.ts';
import { exchangeFigure } from '../kit/http-wire.ts';
import { closeServer, listen } from '../kit/net.ts';
import { expectedFor } from '../kit/versions.ts';
import type { Env } from './env.ts';
import { closeSession, connect, get, startH2Tls } from './h2.ts';
import { newState } from './respond.ts';
import { route } from './routes.ts';
import { fetchEncodingFact } from './versions.ts';
import { rawExchange, request } from './wire.ts';

const names = (lines: string[]) => lines.map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
const UNDICI_PACKAGE: string = createRequire(import.meta.url)('undici/package.json').version;

type Fetch = (
  url: string,
  init: { dispatcher: Agent },
) => Promise<Response | { json(): Promise<unknown> }>;

/** The request header lines one fetch sent, as /headers received them. */
async function sentBy(fetcher: Fetch, url: string, dispatcher: Agent): Promise<string[]> {
  const res = await fetcher(`${url}/headers`, { dispatcher });
  return ((await res.json()) as { headers: string[] }).headers;
}

const header = (lines: string[], name: string) =>
  lines
    .find((l) => l.toLowerCase().startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();

export const clientHeadersStep = step<Env>(
  {
    id: 'client-headers',
    section: 'headers-a-client-sends',
    title: 'Headers a client sends: only Host is required, and each client adds its own',
  },
  async (t, { bin, cert }) => {
    // The same routes over TLS, so the fetches can be compared by scheme.
    const secure = https.createServer(cert, (req, res) => void route(req, res, newState()));
    const securePort = await listen(secure);
    t.defer(() => closeServer(secure));
    const secureUrl = `https://127.0.0.1:${securePort}`;
    const dispatcher = new Agent({ connect: { ca: cert.cert } });
    t.defer(() => dispatcher.close());
    // Node's fetch takes the package's Agent as its dispatcher; the request headers are the
    // fetch implementation's own, whichever dispatcher carries them.
    const builtin = globalThis.fetch as unknown as Fetch;
    const sent = {
      'fetch (Node) http': await sentBy(builtin, bin.url, dispatcher),
      'fetch (Node) https': await sentBy(builtin, secureUrl, dispatcher),
      'undici package http': await sentBy(undiciFetch as unknown as Fetch, bin.url, dispatcher),
      'undici package https': await sentBy(undiciFetch as unknown as Fetch, secureUrl, dispatcher),
    };
    t.uses('node undici', process.versions.undici ?? 'unknown');
    t.uses('undici package', UNDICI_PACKAGE);
    const viaHttp = JSON.parse((await request(`${bin.url}/headers`)).body) as { headers: string[] };
    const raw = await rawExchange(bin.port, [
      'GET /headers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
    ]);
    const viaRaw = JSON.parse(raw.response.slice(raw.response.indexOf('\r\n\r\n') + 4)) as {
      headers: string[];
    };
    const h2 = await startH2Tls(cert);
    t.defer(() => h2.close());
    const session = await connect(h2.url, { ca: cert.cert });
    t.defer(() => closeSession(session));
    const viaH2 = JSON.parse((await get(session, '/headers')).body) as {
      headers: Record<string, string>;
    };
    t.say("Node's built-in fetch over https, as the server received it:");
    const pairs = sent['fetch (Node) https'].map((l): [string, string] => {
      const colon = l.indexOf(':');
      return [
        l.slice(0, colon),
        l
          .slice(colon + 1)
          .trim()
          .replace(/:\d+$/, ':<port>'),
      ];
    });
    t.figure(
      exchangeFigure(
        ['fetch (Node)', 'httpbin'],
        [{ dir: '>', startLine: 'GET /headers HTTP/1.1', headers: pairs }],
      ),
    );
    const clients = {
      'fetch (Node)': names(sent['fetch (Node) http']),
      'undici package': names(sent['undici package http']),
      'node:http': names(viaHttp.headers),
      'raw socket': names(viaRaw.headers),
      'node:http2': Object.keys(viaH2.headers),
    };
    const all = [...new Set(Object.values(clients).flat())];
    t.table(
      ['header', ...Object.keys(clients)],
      all.map((h) => [h, ...Object.values(clients).map((c) => (c.includes(h) ? '✓' : ''))]),
    );
    t.table(
      ['fetch', 'User-Agent', 'Accept-Encoding'],
      Object.entries(sent).map(([who, lines]) => [
        who,
        header(lines, 'user-agent'),
        header(lines, 'accept-encoding'),
      ]),
    );
    t.check(
      'every HTTP/1.1 client sent Host',
      [clients['fetch (Node)'], clients['node:http'], clients['raw socket']].every((c) =>
        c.includes('host'),
      ),
      JSON.stringify(clients),
    );
    t.equal(
      'node:http sent no User-Agent and no Accept, and was answered all the same',
      ['user-agent', 'accept'].filter((h) => clients['node:http'].includes(h)),
      [],
    );
    t.check(
      'fetch added User-Agent, Accept, Accept-Language, Accept-Encoding and Sec-Fetch-Mode',
      ['user-agent', 'accept', 'accept-language', 'accept-encoding', 'sec-fetch-mode'].every(
        (h) => clients['fetch (Node)'].includes(h) && clients['undici package'].includes(h),
      ),
      `${clients['fetch (Node)'].join(', ')} / ${clients['undici package'].join(', ')}`,
    );
    t.equal(
      "User-Agent: 'node' from Node's built-in fetch, 'undici' from the undici package",
      [
        header(sent['fetch (Node) http'], 'user-agent'),
        header(sent['undici package http'], 'user-agent'),
      ],
      ['node', 'undici'],
    );
    t.equal(
      'over plain http both fetches offer Accept-Encoding: gzip, deflate (no br)',
      [
        header(sent['fetch (Node) http'], 'accept-encoding'),
        header(sent['undici package http'], 'accept-encoding'),
      ],
      ['gzip, deflate', 'gzip, deflate'],
    );
    const expected = expectedFor(fetchEncodingFact, process.versions.undici ?? '');
    t.equal(
      `over https Node's built-in fetch, ${expected.when}, offers Accept-Encoding: ${expected.value}`,
      header(sent['fetch (Node) https'], 'accept-encoding'),
      expected.value,
    );
    t.equal(
      `over https the undici package ${UNDICI_PACKAGE} adds br: Accept-Encoding: br, gzip, deflate`,
      header(sent['undici package https'], 'accept-encoding'),
      'br, gzip, deflate',
    );
    t.check(
      'HTTP/2 carries the host in the :authority pseudo-header, not Host',
      clients['node:http2'].includes(':authority') && !clients['node:http2'].includes('host'),
      clients['node:http2'].join(', '),
    );
  },
);
