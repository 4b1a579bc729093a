// `npx tsx demos/replication lag <postgres-url>`: each standby of that server, from its
// pg_stat_replication, in words: state, sync mode, how far behind each position is. Also the
// inactive replication slots, which keep WAL for a standby that is gone. Exit 0 when it could
// look, 2 for bad input, an unreachable server or missing privileges.

import pg from 'pg';
import { parseOptions, UsageError } from '../kit/args.ts';
import type { CliIO, Subcommand } from '../kit/cli.ts';

const USAGE = '<postgres-url>';
const HELP = [
  `Usage: npx tsx demos/replication lag ${USAGE}`,
  '',
  'Prints each standby streaming from that server (its pg_stat_replication) and how far it',
  'is behind: bytes not yet sent, written, flushed and replayed, and the last measured lag times.',
  'Also lists inactive replication slots (each keeps WAL on the server until it is dropped).',
  'Needs a superuser or a role with pg_monitor (pg_read_all_stats) to see the positions.',
  'Example: npx tsx demos/replication lag postgres://postgres@127.0.0.1:5440/postgres',
  'Exit status: 0 looked, 2 bad URL, unreachable server or missing privileges.',
];

interface Standby {
  name: string;
  client: string | null;
  state: string | null;
  sync_state: string | null;
  unsent: string | null;
  unwritten: string | null;
  unflushed: string | null;
  unreplayed: string | null;
  write_lag: string | null;
  flush_lag: string | null;
  replay_lag: string | null;
}

/** "0 bytes" … "1.5 MiB". */
function bytes(text: string | null): string {
  const n = Number(text);
  if (text === null || !Number.isFinite(n)) return 'unknown';
  if (n < 1024) return `${n} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** One standby in words. */
function describeStandby(s: Standby): string[] {
  const who = `${s.name || '(no application_name)'}${s.client ? ` from ${s.client}` : ''}`;
  const mode = s.sync_state === 'async' ? 'asynchronous' : `synchronous (${s.sync_state})`;
  const behind = Number(s.unreplayed);
  const lines = [`${who}: ${s.state}, ${mode}`];
  if (behind === 0) lines.push('  caught up: it has replayed everything the server has written');
  else {
    lines.push(
      `  behind by ${bytes(s.unreplayed)} of WAL: ${bytes(s.unsent)} not yet sent, ${bytes(s.unwritten)} not written there, ${bytes(s.unflushed)} not flushed there, ${bytes(s.unreplayed)} not replayed (invisible to its queries)`,
    );
  }
  const times = [
    ['write', s.write_lag],
    ['flush', s.flush_lag],
    ['replay', s.replay_lag],
  ].filter(([, v]) => v !== null);
  lines.push(
    times.length
      ? `  last measured lag: ${times.map(([k, v]) => `${k} ${v}`).join(', ')} (kept from the last WAL it received: an idle standby shows an old value; trust the bytes)`
      : '  no lag times measured yet (none since it connected, or it is idle and caught up)',
  );
  return lines;
}

function parseUrl(argv: string[]): string | undefined {
  const { values, positionals } = parseOptions(argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) return undefined;
  if (positionals.length !== 1) {
    throw new UsageError(
      `lag: give one PostgreSQL URL, e.g. postgres://postgres@127.0.0.1:5440/postgres; got ${positionals.length} arguments`,
    );
  }
  const raw = positionals[0] as string;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`lag: "${raw}" is not a URL; expected postgres://user@host:port/db`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new UsageError(`lag: "${raw}" is not a postgres:// or postgresql:// URL`);
  }
  if (!u.hostname) throw new UsageError(`lag: "${raw}" has no host`);
  return raw;
}

/** The server's own WAL position, whichever role it has: the base every distance is measured from. */
const POSITIONS = `
  WITH base AS (SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                            ELSE pg_current_wal_lsn() END AS lsn)
  SELECT application_name AS name, client_addr::text AS client, state, sync_state,
         pg_wal_lsn_diff(base.lsn, sent_lsn)::text AS unsent,
         pg_wal_lsn_diff(base.lsn, write_lsn)::text AS unwritten,
         pg_wal_lsn_diff(base.lsn, flush_lsn)::text AS unflushed,
         pg_wal_lsn_diff(base.lsn, replay_lsn)::text AS unreplayed,
         write_lag::text, flush_lag::text, replay_lag::text
    FROM pg_stat_replication, base ORDER BY application_name`;

const SLOTS = `
  SELECT slot_name AS name, slot_type AS type, wal_status,
         pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn()
                              ELSE pg_current_wal_lsn() END, restart_lsn)::text AS kept
    FROM pg_replication_slots WHERE NOT active ORDER BY slot_name`;

export const lagCommand: Subcommand = {
  name: 'lag',
  usage: USAGE,
  summary: "each standby's state and lag on your server, from pg_stat_replication",
  async run(argv: string[], io: CliIO): Promise<number> {
    const url = parseUrl(argv);
    if (url === undefined) {
      for (const l of HELP) io.out(l);
      return 0;
    }
    const where = new URL(url);
    const address = `${where.hostname}:${where.port || 5432}`;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      io.err(
        `demos/replication: lag: cannot connect to ${address}: ${e.code && !e.message.includes(e.code) ? `${e.code} ` : ''}${e.message}`,
      );
      return 2;
    }
    try {
      const role = await client.query<{ r: boolean; v: string }>(
        "SELECT pg_is_in_recovery() AS r, current_setting('server_version') AS v",
      );
      const standbys = (await client.query<Standby>(POSITIONS)).rows;
      if (standbys.some((s) => s.state === null)) {
        io.err(
          `demos/replication: lag: the role in ${url.replace(/\/\/[^@/]*@/, '//…@')} may not read pg_stat_replication's positions on ${address}: connect as a superuser or GRANT pg_monitor TO it`,
        );
        return 2;
      }
      const slots = (
        await client.query<{ name: string; type: string; wal_status: string; kept: string }>(SLOTS)
      ).rows;
      const head = role.rows[0]?.r
        ? `${address} (PostgreSQL ${role.rows[0]?.v}) is itself a standby; standbys streaming from it:`
        : `${address} (PostgreSQL ${role.rows[0]?.v}) is a primary; its standbys:`;
      io.out(head);
      if (!standbys.length) io.out('  no standbys: pg_stat_replication is empty');
      for (const s of standbys) for (const l of describeStandby(s)) io.out(`  ${l}`);
      for (const s of slots) {
        io.out(
          `  slot ${s.name} (${s.type}) is inactive: no standby uses it, and it keeps ${bytes(s.kept)} of WAL (wal_status ${s.wal_status})`,
        );
      }
      return 0;
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (e.code === '42501') {
        io.err(`demos/replication: lag: missing privileges on ${address}: ${e.message}`);
        return 2;
      }
      throw err;
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
