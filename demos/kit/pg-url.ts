// A subcommand's PostgreSQL URL argument (`headroom`, `explain`, `check <postgres-url>`): validated
// into one UsageError line, and a connection whose failure is one line on stderr (exit 2).

import pg from 'pg';
import { parseOptions, UsageError } from './args.ts';
import type { CliIO } from './cli.ts';

/** The URL argument, validated; undefined for --help. */
export function parsePostgresUrl(command: string, argv: string[]): string | undefined {
  const { values, positionals } = parseOptions(argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(
      `${command}: give one PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5432/postgres; got ${positionals.length} arguments`,
    );
  }
  const raw = positionals[0] as string;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(
      `${command}: "${raw}" is not a URL; expected postgres://user@host:port/db`,
    );
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new UsageError(`${command}: "${raw}" is not a postgres:// or postgresql:// URL`);
  }
  if (!u.hostname) throw new UsageError(`${command}: "${raw}" has no host`);
  if (u.port && !/^\d+$/.test(u.port)) throw new UsageError(`${command}: bad port in "${raw}"`);
  return raw;
}

/** A connected client, or one line on stderr and undefined. */
export async function connectOrSay(
  url: string,
  command: string,
  io: CliIO,
): Promise<pg.Client | undefined> {
  const where = new URL(url);
  const address = `${where.hostname}:${where.port || 5432}`;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const code = e.code && !e.message.includes(e.code) ? `${e.code} ` : '';
    io.err(`demos/${command}: cannot connect to ${address}: ${code}${e.message}`);
    return undefined;
  }
}
