// `npx tsx demos/pooling headroom <postgres-url>`: how close a server is to max_connections, in
// words: client connections by state and by application, what is reserved for superusers, and
// what an ordinary role has left. Read-only. Exit 0 when it could look, 2 for bad input or an
// unreachable server.

import type { CliIO, Subcommand } from '../kit/cli.ts';
import { connectOrSay, parsePostgresUrl } from '../kit/pg-url.ts';

const USAGE = '<postgres-url>';
const HELP = [
  `Usage: npx tsx demos/pooling headroom ${USAGE}`,
  '',
  'Prints the client connections of that server by state and by application_name against',
  'max_connections, what superuser_reserved_connections (and reserved_connections, 16+) keep',
  'back, and how many more connections an ordinary role can open before it gets SQLSTATE 53300.',
  'Read-only: it runs SELECTs on pg_stat_activity and pg_settings. A role without pg_monitor',
  "sees other roles' sessions without their state.",
  'Example: npx tsx demos/pooling headroom postgres://postgres@127.0.0.1:5432/postgres',
  'Exit status: 0 looked, 2 bad URL or unreachable server.',
];

const LIMITS = `
  SELECT current_setting('max_connections')::int AS max,
         current_setting('superuser_reserved_connections')::int AS su_reserved,
         coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
         (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser,
         current_setting('server_version') AS version`;

const BY_STATE = `
  SELECT coalesce(state, 'unknown (no pg_monitor)') AS state, count(*)::int AS n
    FROM pg_stat_activity WHERE backend_type = 'client backend'
   GROUP BY 1 ORDER BY 2 DESC, 1`;

const BY_APP = `
  SELECT coalesce(nullif(application_name, ''), '(no application_name)') AS app,
         coalesce(usename, '?') AS role, count(*)::int AS n,
         count(*) FILTER (WHERE state = 'idle')::int AS idle
    FROM pg_stat_activity WHERE backend_type = 'client backend'
   GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 20`;

export const headroomCommand: Subcommand = {
  name: 'headroom',
  usage: USAGE,
  summary: 'connections in use by state and application vs max_connections, in words',
  async run(argv: string[], io: CliIO): Promise<number> {
    const url = parsePostgresUrl('headroom', argv);
    if (url === undefined) {
      for (const l of HELP) io.out(l);
      return 0;
    }
    const client = await connectOrSay(url, 'pooling: headroom', io);
    if (!client) return 2;
    try {
      await client.query('BEGIN READ ONLY');
      const limits = (
        await client.query<{
          max: number;
          su_reserved: number;
          reserved: number;
          superuser: boolean;
          version: string;
        }>(LIMITS)
      ).rows[0];
      if (!limits) throw new Error('no row from pg_settings');
      const states = (await client.query<{ state: string; n: number }>(BY_STATE)).rows;
      const apps = (
        await client.query<{ app: string; role: string; n: number; idle: number }>(BY_APP)
      ).rows;
      await client.query('ROLLBACK');
      const used = states.reduce((s, r) => s + r.n, 0);
      const held = limits.su_reserved + limits.reserved;
      const left = Math.max(0, limits.max - used - held);
      const where = new URL(url);
      io.out(
        `${where.hostname}:${where.port || 5432} (PostgreSQL ${limits.version}): ${used} of max_connections ${limits.max} client connections in use (this one included).`,
      );
      io.out(
        `  ${limits.su_reserved} slots are kept for superusers (superuser_reserved_connections)${limits.reserved ? ` and ${limits.reserved} for pg_use_reserved_connections (reserved_connections)` : ''}: an ordinary role can open ${left} more, then gets SQLSTATE 53300.`,
      );
      io.out(`  by state: ${states.map((s) => `${s.n} ${s.state}`).join(', ')}`);
      const idleTx = states.find((s) => s.state === 'idle in transaction')?.n ?? 0;
      if (idleTx) {
        io.out(
          `  ${idleTx} sessions are idle in a transaction: each holds its connection (and its locks) until the application ends the transaction`,
        );
      }
      io.out('  by application and role (connections, of them idle):');
      for (const a of apps) io.out(`    ${a.app} as ${a.role}: ${a.n} (${a.idle} idle)`);
      const idle = states.find((s) => s.state === 'idle')?.n ?? 0;
      if (used && idle / used >= 0.5) {
        io.out(
          `  ${idle} of ${used} are idle: connections held open by application pools. A pooler (PgBouncer in transaction mode) lets them share a few server connections.`,
        );
      }
      return 0;
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (!e.code) throw err;
      io.err(`demos/pooling: headroom: the server refused to answer: ${e.code} ${e.message}`);
      return 2;
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
