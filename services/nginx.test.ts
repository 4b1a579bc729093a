// The routes services/nginx/nginx.conf promises the demos, checked against the running nginx:
// /healthz, /proxy/<port>/… to an upstream on port 0, 502s, the 504 of /timeout/…, and the two
// SNI names on 8443 with certificates signed by the generated CA.

import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer, type Socket } from 'node:net';
import { checkServerIdentity, type PeerCertificate, connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endpoints } from '../demos/kit/endpoints.ts';
import { listen } from '../demos/kit/net.ts';
import { fileNeeds } from '../demos/kit/vitest.ts';
import { ensure } from './api.ts';

// Read when a test runs, not at import (a junk NGINX_URL is then one failed test, not a broken file).
const gateway = () => new URL(endpoints.nginxUrl);
const servers: { close: () => void }[] = [];
const sockets = new Set<Socket>();

/** A raw TCP upstream on port 0 that answers the first bytes it receives with `reply`. */
async function rawUpstream(reply: string | null): Promise<number> {
  const server = createServer((s) => {
    sockets.add(s);
    s.once('data', () => {
      if (reply === null) s.resetAndDestroy();
      else if (reply !== 'hold') s.end(reply);
    });
  });
  const port = await listen(server);
  servers.push(server);
  return port;
}

/** Sends one request through nginx over a raw socket; resolves with every byte it answered. */
function viaGateway(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = connect(Number(gateway().port), gateway().hostname, () =>
      c.write(`GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`),
    );
    let data = '';
    c.on('data', (d: Buffer) => {
      data += d.toString('latin1');
    });
    c.once('end', () => resolve(data));
    c.once('error', reject);
  });
}

function statusLine(response: string): string {
  return response.split('\r\n')[0] ?? '';
}

const needs = fileNeeds(['nginx']);

beforeAll(async () => {
  if (needs.ready()) await ensure(['nginx']);
});

afterAll(() => {
  for (const s of sockets) s.destroy();
  for (const s of servers) s.close();
});

describe('nginx gateway on NGINX_URL', () => {
  it('answers /healthz', async () => {
    const res = await viaGateway('/healthz');
    expect(statusLine(res)).toBe('HTTP/1.1 200 OK');
    expect(res.endsWith('\r\n\r\nok\n')).toBe(true);
  });

  it('proxies /proxy/<port>/<path> to 127.0.0.1:<port>/<path>, raw path and query kept', async () => {
    let seen: { url?: string; xff?: string } = {};
    const echo: Server = createHttpServer((req, res) => {
      seen = { url: req.url, xff: req.headers['x-forwarded-for'] as string };
      res.end('from upstream');
    });
    const port = await listen(echo);
    servers.push(echo);
    const res = await viaGateway(`/proxy/${port}/a%20b/c?x=1&y=%2F`);
    expect(statusLine(res)).toBe('HTTP/1.1 200 OK');
    expect(res).toContain('from upstream');
    expect(res).toMatch(/^Server: nginx\r$/m);
    expect(seen).toEqual({ url: '/a%20b/c?x=1&y=%2F', xff: '127.0.0.1' });
  });

  it('refuses its own port as an upstream (no loop back into nginx)', async () => {
    expect(statusLine(await viaGateway(`/proxy/${gateway().port}/healthz`))).toBe(
      'HTTP/1.1 400 Bad Request',
    );
  });

  it('gives 502 when nothing listens, or the upstream closes, resets or sends a bad header', async () => {
    const free = await rawUpstream('');
    servers.pop()?.close(); // now nothing listens on `free`
    const cases = {
      refused: free,
      closed: await rawUpstream(''),
      reset: await rawUpstream(null),
      truncated: await rawUpstream('HTTP/1.1 200 OK\r\nX-A: a'),
      nulInHeader: await rawUpstream('HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok'),
    };
    for (const [name, port] of Object.entries(cases)) {
      expect(statusLine(await viaGateway(`/proxy/${port}/x`)), name).toBe(
        'HTTP/1.1 502 Bad Gateway',
      );
    }
  });

  it('relays a reply without a status line raw (HTTP/0.9), not as a 502', async () => {
    const port = await rawUpstream('NOT HTTP AT ALL\r\n');
    expect(await viaGateway(`/proxy/${port}/x`)).toBe('NOT HTTP AT ALL\r\n');
  });

  it('gives 504 on /timeout/<port>/… when the upstream sends no header within 1 s', async () => {
    const port = await rawUpstream('hold');
    expect(statusLine(await viaGateway(`/timeout/${port}/x`))).toBe(
      'HTTP/1.1 504 Gateway Time-out',
    );
  });
});

describe('nginx TLS on NGINX_TLS_PORT', () => {
  const ca = () => readFileSync(endpoints.nginxCaFile);

  function handshake(servername: string | undefined): Promise<PeerCertificate | Error> {
    return new Promise((resolve) => {
      const s = tlsConnect({
        host: '127.0.0.1',
        port: endpoints.nginxTlsPort,
        ...(servername ? { servername } : {}),
        ca: ca(),
        // The name the client checks: the SNI it sent, or beta.test when it sent none.
        checkServerIdentity: (_host, cert) => checkServerIdentity(servername ?? 'beta.test', cert),
      });
      s.once('secureConnect', () => {
        const cert = s.getPeerCertificate();
        s.end();
        resolve(cert);
      });
      s.once('error', (err) => {
        s.destroy();
        resolve(err);
      });
    });
  }

  it('serves each SNI name its own certificate, signed by the generated CA', async () => {
    for (const name of ['alpha.test', 'beta.test']) {
      const cert = await handshake(name);
      expect(cert, name).not.toBeInstanceOf(Error);
      expect((cert as PeerCertificate).subjectaltname).toBe(`DNS:${name}`);
      expect((cert as PeerCertificate).issuer.CN).toBe('wirenotes test CA');
    }
  });

  it('answers a ClientHello without SNI with the default server (alpha.test)', async () => {
    const err = await handshake(undefined);
    expect(err).toBeInstanceOf(Error);
    expect((err as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect((err as Error).message).toContain('alpha.test');
  });
});
