// The headers a client sends, as the server received them, from four clients.

import { Agent, fetch } from 'undici';
import { step } from '../kit/define.ts';
import type { Env } from './env.ts';
import { closeSession, connect, get, startH2Tls } from './h2.ts';
import { rawExchange, request } from './wire.ts';

const names = (lines: string[]) => lines.map((l) => l.slice(0, l.indexOf(':')).toLowerCase());

export const clientHeadersStep = step<Env>(
  {
    id: 'client-headers',
    section: 'headers-a-client-sends',
    title: 'Headers a client sends: only Host is required, and each client adds its own',
  },
  async (t, { bin, cert }) => {
    const dispatcher = new Agent();
    t.defer(() => dispatcher.close());
    const viaFetch = (await (await fetch(`${bin.url}/headers`, { dispatcher })).json()) as {
      headers: string[];
    };
    const viaHttp = JSON.parse((await request(`${bin.url}/headers`)).body) as {
      headers: string[];
    };
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
    t.say('undici fetch, as the server received it:');
    t.block(viaFetch.headers.map((l) => `> ${l}`.replace(/:\d+$/, ':<port>')));
    const clients = {
      'undici fetch': names(viaFetch.headers),
      'node:http': names(viaHttp.headers),
      'raw socket': names(viaRaw.headers),
      'node:http2': Object.keys(viaH2.headers),
    };
    const all = [...new Set(Object.values(clients).flat())];
    t.table(
      ['header', ...Object.keys(clients)],
      all.map((h) => [h, ...Object.values(clients).map((c) => (c.includes(h) ? '✓' : ''))]),
    );
    t.check(
      'every HTTP/1.1 client sent Host',
      [clients['undici fetch'], clients['node:http'], clients['raw socket']].every((c) =>
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
      ['user-agent', 'accept', 'accept-language', 'accept-encoding', 'sec-fetch-mode'].every((h) =>
        clients['undici fetch'].includes(h),
      ),
      clients['undici fetch'].join(', '),
    );
    t.check(
      'HTTP/2 carries the host in the :authority pseudo-header, not Host',
      clients['node:http2'].includes(':authority') && !clients['node:http2'].includes('host'),
      clients['node:http2'].join(', '),
    );
  },
);
