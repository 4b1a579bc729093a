// `npx tsx demos/backups check <postgres-url>`: is this server ready for point-in-time recovery?
// wal_level, archive_mode and archive_command, the last archived WAL segment and how long ago,
// and archiving failures, in words. Read-only. Exit 0 when it could look, 2 for bad input or an
// unreachable server.

import type { CliIO, Subcommand } from '../kit/cli.ts';
import { connectOrSay, parsePostgresUrl } from '../kit/pg-url.ts';

const USAGE = '<postgres-url>';
const HELP = [
  `Usage: npx tsx demos/backups check ${USAGE}`,
  '',
  'Says whether that server archives its WAL (wal_level, archive_mode, archive_command or',
  'archive_library), which segment it archived last and how long ago, and how many attempts',
  'failed since the statistics were reset (pg_stat_archiver). Without archiving, a base backup',
  'restores only the moment it was taken. Read-only.',
  'Example: npx tsx demos/backups check postgres://postgres@127.0.0.1:5432/postgres',
  'Exit status: 0 looked, 2 bad URL or unreachable server.',
];

interface State {
  version: string;
  wal_level: string;
  archive_mode: string;
  archive_command: string;
  archive_library: string | null;
  recovery: boolean;
  archived_count: string;
  last_archived_wal: string | null;
  archived_ago: string | null;
  failed_count: string;
  last_failed_wal: string | null;
  failed_ago: string | null;
  current_wal: string | null;
}

const STATE = `
  SELECT current_setting('server_version') AS version,
         current_setting('wal_level') AS wal_level,
         current_setting('archive_mode') AS archive_mode,
         current_setting('archive_command') AS archive_command,
         current_setting('archive_library', true) AS archive_library,
         pg_is_in_recovery() AS recovery,
         a.archived_count::text, a.last_archived_wal,
         date_trunc('second', now() - a.last_archived_time)::text AS archived_ago,
         a.failed_count::text, a.last_failed_wal,
         date_trunc('second', now() - a.last_failed_time)::text AS failed_ago,
         CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_walfile_name(pg_current_wal_lsn()) END AS current_wal
    FROM pg_stat_archiver a`;

function describe(s: State): string[] {
  const lines: string[] = [];
  const archives = s.archive_mode !== 'off' && (s.archive_command !== '' || !!s.archive_library);
  lines.push(
    s.wal_level === 'minimal'
      ? '  wal_level = minimal: the WAL lacks what archive recovery needs; set it to replica (the default)'
      : `  wal_level = ${s.wal_level}: enough for archiving and base backups`,
  );
  if (!archives) {
    lines.push(
      `  archiving is OFF (archive_mode = ${s.archive_mode}${s.archive_command ? '' : ', no archive_command'}): a base backup restores only the moment it was taken; point-in-time recovery is impossible`,
    );
  } else {
    lines.push(
      `  archiving is on (archive_mode = ${s.archive_mode}) with ${s.archive_library ? `archive_library ${s.archive_library}` : `archive_command ${s.archive_command}`}`,
    );
  }
  if (s.last_archived_wal) {
    lines.push(
      `  last archived segment ${s.last_archived_wal}, ${s.archived_ago} ago (${s.archived_count} since the statistics were reset); the server writes ${s.current_wal ?? '(in recovery)'} now`,
    );
  } else if (archives) {
    lines.push(
      '  nothing archived yet: a segment is archived when it is full or switched (archive_timeout, pg_switch_wal())',
    );
  }
  if (Number(s.failed_count) > 0) {
    const last = s.last_failed_wal
      ? `; the last failure was ${s.last_failed_wal}, ${s.failed_ago} ago`
      : '';
    lines.push(
      `  ${s.failed_count} archiving attempts FAILED${last}. Failed segments stay in pg_wal until archived: the disk fills. The server log says why.`,
    );
  } else {
    lines.push('  no archiving failures');
  }
  return lines;
}

export const checkCommand: Subcommand = {
  name: 'check',
  usage: USAGE,
  summary: 'is WAL archiving on, what was archived last and when, failures (read-only)',
  async run(argv: string[], io: CliIO): Promise<number> {
    const url = parsePostgresUrl('check', argv);
    if (url === undefined) {
      for (const l of HELP) io.out(l);
      return 0;
    }
    const client = await connectOrSay(url, 'backups: check', io);
    if (!client) return 2;
    try {
      const s = (await client.query<State>(STATE)).rows[0];
      if (!s) throw new Error('no row from pg_stat_archiver');
      const where = new URL(url);
      io.out(
        `${where.hostname}:${where.port || 5432} (PostgreSQL ${s.version}${s.recovery ? ', a standby' : ''}):`,
      );
      for (const l of describe(s)) io.out(l);
      return 0;
    } catch (err) {
      const e = err as { code?: string; message: string };
      if (!e.code) throw err;
      io.err(`demos/backups: check: the server refused to answer: ${e.code} ${e.message}`);
      return 2;
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
