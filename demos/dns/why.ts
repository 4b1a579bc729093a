// The stages of reaching host:port as a Node program does, each reported in one line: the name
// (getaddrinfo, then DNS alone, so a hosts-file or search-list answer shows), TCP to the first
// address, and TLS when the port is 443. An error is decoded as the steps decoded it.

import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { UsageError } from '../kit/args.ts';
import { decode } from './decode.ts';

export interface Target {
  host: string;
  port: number;
}

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address; the port defaults to 443. */
export function parseTarget(text: string): Target {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([A-Za-z0-9_.-]+)(?::(\d+))?$/.exec(text);
  let host: string | undefined;
  let port: string | undefined;
  if (bracketed) [, host, port] = bracketed;
  else if (net.isIPv6(text)) host = text;
  else if (plain) [, host, port] = plain;
  if (!host || (bracketed && !net.isIPv6(host))) {
    throw new UsageError(`why: "${text}" is not host[:port] (e.g. example.com:443, [::1]:8080)`);
  }
  const n = port === undefined ? 443 : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65_535) {
    throw new UsageError(`why: port "${port}" is not 1-65535`);
  }
  return { host, port: n };
}

export interface Stage {
  stage: 'name' | 'tcp' | 'tls';
  ok: boolean;
  line: string;
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; err?: unknown; ms: number }> {
  const started = Date.now();
  try {
    return { value: await fn(), ms: Date.now() - started };
  } catch (err) {
    return { err, ms: Date.now() - started };
  }
}

/** getaddrinfo's answer, and what DNS alone says when the two differ. */
async function nameStage(host: string): Promise<{ stage: Stage; address?: string }> {
  if (net.isIP(host)) {
    return {
      stage: { stage: 'name', ok: true, line: `${host} is an address: no lookup` },
      address: host,
    };
  }
  const looked = await timed(() => dns.promises.lookup(host, { all: true }));
  const resolver = new dns.promises.Resolver({ timeout: 3000, tries: 1 });
  const asked = await timed(async () => {
    const both = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const found = both.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    if (found.length) return found;
    throw (both[0] as PromiseRejectedResult).reason;
  });
  const viaDns = asked.value ? asked.value.join(' ') : `DNS alone: ${code(asked.err)}`;
  if (looked.err !== undefined) {
    const line = `getaddrinfo failed in ${looked.ms} ms (${viaDns}): ${decode(code(looked.err))}`;
    return { stage: { stage: 'name', ok: false, line } };
  }
  const addresses = (looked.value ?? []).map((a) => a.address);
  const agree =
    asked.value && [...addresses].sort().join(' ') === [...asked.value].sort().join(' ');
  const note = agree
    ? 'DNS alone agrees'
    : `DNS alone says ${viaDns}: getaddrinfo's answer came from /etc/hosts, the search list or nsswitch`;
  return {
    stage: {
      stage: 'name',
      ok: true,
      line: `${host} → ${addresses.join(' ')} in ${looked.ms} ms; ${note}`,
    },
    address: addresses[0],
  };
}

function tcpStage(address: string, port: number, timeoutMs: number): Promise<Stage> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (stage: Stage) => {
      socket.destroy();
      resolve(stage);
    };
    socket.setTimeout(timeoutMs, () =>
      done({
        stage: 'tcp',
        ok: false,
        line: `no answer to the SYNs in ${timeoutMs} ms: dropped on the way (the kernel would end in ${decode('ETIMEDOUT')})`,
      }),
    );
    socket.once('connect', () =>
      done({
        stage: 'tcp',
        ok: true,
        line: `connected to ${address}:${port} in ${Date.now() - started} ms`,
      }),
    );
    socket.once('error', (err) =>
      done({
        stage: 'tcp',
        ok: false,
        line: `${err.message} after ${Date.now() - started} ms: ${decode(code(err))}`,
      }),
    );
  });
}

function tlsStage(address: string, host: string, port: number, timeoutMs: number): Promise<Stage> {
  return new Promise((resolve) => {
    const servername = net.isIP(host) ? undefined : host;
    const socket = tls.connect({ host: address, port, servername, rejectUnauthorized: false });
    const done = (stage: Stage) => {
      socket.destroy();
      resolve(stage);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ stage: 'tls', ok: false, line: `no TLS handshake in ${timeoutMs} ms` }),
    );
    socket.once('secureConnect', () => {
      const cert = socket.getPeerCertificate();
      const who = `${socket.getProtocol()}, certificate for ${cert.subject?.CN ?? '?'} from ${cert.issuer?.CN ?? cert.issuer?.O ?? '?'}`;
      const verdict = socket.authorized
        ? 'trusted'
        : `NOT trusted: ${String(socket.authorizationError)}`;
      done({ stage: 'tls', ok: socket.authorized, line: `${who}, ${verdict}` });
    });
    socket.once('error', (err) => done({ stage: 'tls', ok: false, line: err.message }));
  });
}

/** Every stage up to the first that fails. */
export async function why(target: Target, timeoutMs: number): Promise<Stage[]> {
  const name = await nameStage(target.host);
  if (!name.stage.ok || !name.address) return [name.stage];
  const connected = await tcpStage(name.address, target.port, timeoutMs);
  if (!connected.ok || target.port !== 443) return [name.stage, connected];
  return [name.stage, connected, await tlsStage(name.address, target.host, target.port, timeoutMs)];
}
