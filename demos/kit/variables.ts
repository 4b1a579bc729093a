// Environment variables that locate services, each read with its default and validated: a junk
// value is a UsageError naming the variable, what was wrong and what is expected (every entry
// point turns that into one line and exit 2). Also the per-user state and cache folders.

import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from './args.ts';

/** One environment variable: its default, what a valid value looks like, and its parser. */
export interface Variable<T> {
  /** The default when the variable is unset or empty (a function when it depends on others). */
  fallback: string | (() => string);
  /** What is expected, for the error line: "host:port[,host:port…], e.g. 127.0.0.1:9092". */
  expects: string;
  /** The parsed value; throws an Error saying what is wrong with `raw`. */
  parse: (raw: string) => T;
}

export type Vars = Record<string, Variable<unknown>>;
export type Values<V extends Vars> = { [K in keyof V]: V[K] extends Variable<infer T> ? T : never };

/** Reads and validates one variable; a bad value is a UsageError naming it. */
export function readVariable<T>(name: string, v: Variable<T>): T {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallbackOf(v) : raw;
  try {
    return v.parse(value);
  } catch (err) {
    const given = raw === undefined || raw === '' ? `its default "${value}"` : `"${raw}"`;
    throw new UsageError(
      `${name}: ${given} is not valid (${(err as Error).message}); expected ${v.expects}`,
    );
  }
}

function fallbackOf(v: Variable<unknown>): string {
  return typeof v.fallback === 'function' ? v.fallback() : v.fallback;
}

function checkPort(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65_535) throw new Error(`port ${port} is outside 1-65535`);
  return port;
}

export function splitHostPort(hostPort: string): { host: string; port: number } {
  const m = /^\[?([^\]\s/]+?)\]?:([^:\]]*)$/.exec(hostPort);
  if (!m) throw new UsageError(`"${hostPort}" is not host:port`);
  try {
    return { host: m[1] as string, port: checkPort(m[2] as string) };
  } catch (err) {
    throw new UsageError(`"${hostPort}" is not host:port (${(err as Error).message})`);
  }
}

/** A comma-separated list of host:port. */
export function hostPorts(fallback: string): Variable<string[]> {
  return {
    fallback,
    expects: `host:port[,host:port…], e.g. ${fallback}`,
    parse: (raw) => {
      const list = raw
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean);
      if (!list.length) throw new Error('no address');
      for (const b of list) splitHostPort(b);
      return list;
    },
  };
}

/** A URL with one of `schemes` (without the colon) and a host; the port defaults per scheme. */
export function url(fallback: string, schemes: string[]): Variable<string> {
  return {
    fallback,
    expects: `a ${schemes.map((s) => `${s}://`).join(' or ')} URL, e.g. ${fallback}`,
    parse: (raw) => {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new Error('not a URL');
      }
      if (!schemes.includes(u.protocol.replace(/:$/, '')))
        throw new Error(`scheme ${u.protocol} is not one`);
      if (!u.hostname) throw new Error('no host');
      if (u.port) checkPort(u.port);
      return raw;
    },
  };
}

/** host:port of a URL read by url(). */
export function urlAddress(value: string, defaultPort: number): string {
  const u = new URL(value);
  return `${u.hostname}:${u.port || defaultPort}`;
}

export function port(fallback: number): Variable<number> {
  return {
    fallback: String(fallback),
    expects: `a TCP port 1-65535, e.g. ${fallback}`,
    parse: checkPort,
  };
}

/** An absolute file path (its existence is the probe's business, with a hint). */
export function path(fallback: string | (() => string)): Variable<string> {
  return {
    fallback,
    expects: 'an absolute path',
    parse: (raw) => {
      if (!isAbsolute(raw)) throw new Error('not an absolute path');
      return raw;
    },
  };
}

// ------------------------------------------------------------------ the per-user state folder

function xdg(variable: string, fallback: string): string {
  const v = process.env[variable];
  // The XDG spec: a relative value is invalid and must be ignored.
  return v && isAbsolute(v) ? v : join(process.env.HOME || homedir(), fallback);
}

/** Variables that belong to no one service. */
export const GENERAL = {
  /** What `npm run services` starts is recorded here, once per user, for every checkout. */
  WIRENOTES_STATE_DIR: path(() => join(xdg('XDG_STATE_HOME', '.local/state'), 'wirenotes')),
};

/** The per-user folder of service state: pids, ports, configs, logs, the nginx CA. */
export function stateDir(): string {
  return readVariable('WIRENOTES_STATE_DIR', GENERAL.WIRENOTES_STATE_DIR);
}

/** The per-user cache for downloads that never change (Kafka's jars, server binaries). */
export function cacheDir(): string {
  return join(xdg('XDG_CACHE_HOME', '.cache'), 'wirenotes');
}
