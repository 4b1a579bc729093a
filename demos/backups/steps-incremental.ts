// Incremental base backups (PostgreSQL 17+), run on PostgreSQL 18: a full backup, a change, an
// incremental taken against the full one's manifest, another change, a second incremental taken
// against the first, then pg_combinebackup of the chain into a data directory that
// pg_verifybackup accepts and that starts with every change. Around it, what refuses: the server
// without WAL summaries, a chain with a link missing, a chain that does not start full.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { step } from '../kit/define.ts';
import { type Cluster, createCluster } from '../kit/pg-cluster.ts';
import { expectedFor } from '../kit/versions.ts';
import { waitFor } from '../kit/wait.ts';
import { backupLabel, bytes, folderBytes, incrementalFiles } from './backup-files.ts';
import { fingerprint } from './compare.ts';
import { type Env, pg18 } from './env.ts';
import { incrementalFact } from './versions.ts';

const ROWS = 20_000;

/** `summarize_wal` set with ALTER SYSTEM and reloaded: a new session (a backup's) sees it. */
async function summarize(cluster: Cluster, db: pg.Client, on: boolean): Promise<void> {
  await db.query(`ALTER SYSTEM SET summarize_wal = ${on ? 'on' : 'off'}`);
  await db.query('SELECT pg_reload_conf()');
  await waitFor(`summarize_wal = ${on ? 'on' : 'off'} after the reload`, async () => {
    const fresh = await cluster.connect();
    try {
      const { rows } = await fresh.query<{ v: string }>(
        "SELECT current_setting('summarize_wal') AS v",
      );
      return rows[0]?.v === (on ? 'on' : 'off') ? true : undefined;
    } finally {
      await fresh.end();
    }
  });
}

/** What a tool that refused said ("error: …", from the kit's "<tool> <arg>: <tool>: error: …"). */
async function refusal(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => 'accepted',
    (err: Error) => /error: .*/.exec(err.message)?.[0] ?? err.message,
  );
}

export const incrementalStep = step<Env>(
  {
    id: 'incremental',
    section: 'full-and-incremental-backups',
    title: 'Full + two incrementals, combined, verified and started (PostgreSQL 18)',
    needs: ['postgres18-binaries'],
  },
  async (t, env) => {
    t.waiting('a PostgreSQL 18 cluster that summarizes its WAL (summarize_wal = on)');
    const source = await pg18(env);
    const db = await source.connect();
    t.defer(() => db.end());
    const { rows: v } = await db.query<{ v: string }>(
      "SELECT current_setting('server_version') AS v",
    );
    const version = String(v[0]?.v);
    t.uses('postgres18-binaries', version);
    await db.query('DROP TABLE IF EXISTS orders');
    await db.query('CREATE TABLE orders (id int PRIMARY KEY, customer text, total numeric)');
    await db.query(
      `INSERT INTO orders SELECT g, 'customer ' || (g % 97), g % 1000 FROM generate_series(1, ${ROWS}) g`,
    );
    const { rows: rel } = await db.query<{ f: string }>(
      "SELECT pg_relation_filepath('orders') AS f",
    );
    const tableFile = String(rel[0]?.f);
    const at = (name: string) => join(source.dir, name);
    const basebackup = (name: string, from?: string) =>
      source.run('pg_basebackup', [
        ...['-h', '127.0.0.1', '-p', String(source.port), '-U', 'postgres'],
        ...['-D', at(name), '--checkpoint=fast', '--no-sync'],
        ...(from ? [`--incremental=${join(at(from), 'backup_manifest')}`] : []),
      ]);

    const timeline: unknown[][] = [];
    await basebackup('full');
    const kb = (name: string) => `${Math.round(folderBytes(at(name)) / 1024)} kB`;
    timeline.push([
      `full: ${ROWS.toLocaleString('en')} rows`,
      kb('full'),
      backupLabel(at('full')).start,
      '',
    ]);
    await db.query(
      `INSERT INTO orders SELECT g, 'late', 1 FROM generate_series(${ROWS + 1}, ${ROWS + 100}) g`,
    );
    await db.query("UPDATE orders SET customer = 'changed' WHERE id = 7");
    await summarize(source, db, false);
    const off = await refusal(basebackup('refused', 'full'));
    await summarize(source, db, true);
    await basebackup('incr1', 'full');
    const l1 = backupLabel(at('incr1'));
    timeline.push(['incr1: +100 rows, 1 update', kb('incr1'), l1.start, l1.from]);
    await db.query(`INSERT INTO orders VALUES (${ROWS + 1000}, 'after incr1', 1)`);
    await basebackup('incr2', 'incr1');
    const l2 = backupLabel(at('incr2'));
    timeline.push(['incr2: +1 row', kb('incr2'), l2.start, l2.from]);
    t.table(['backup (after)', 'size', 'START WAL LOCATION', 'INCREMENTAL FROM LSN'], timeline);
    // The same option to the PostgreSQL 15 tools of the demo's other cluster: parsed, not run.
    const older = await refusal(
      env.cluster.run('pg_basebackup', [
        '-D',
        at('pg15'),
        `--incremental=${at('full')}/backup_manifest`,
      ]),
    );
    const outcome = (said: string) =>
      /unrecognized option '--incremental/.test(said)
        ? "unrecognized option '--incremental'"
        : said;
    for (const [v, got] of [
      [env.serverVersion, outcome(older)],
      [
        version,
        l1.from
          ? 'taken: its backup_label names the LSN it is incremental from'
          : 'no INCREMENTAL FROM LSN',
      ],
    ] as const) {
      const expected = expectedFor(incrementalFact, v);
      t.equal(
        `pg_basebackup --incremental with PostgreSQL ${expected.when}: ${expected.value}`,
        got,
        expected.value,
      );
    }
    t.equal(
      'pg_basebackup --incremental is refused while summarize_wal = off',
      off,
      'error: could not initiate base backup: ERROR:  incremental backups cannot be taken unless WAL summarization is enabled',
    );
    t.equal(
      "each incremental is taken against the previous backup's manifest: its INCREMENTAL FROM LSN is that backup's start",
      [l1.from, l2.from],
      [backupLabel(at('full')).start, l1.start],
    );

    const files = incrementalFiles(at('incr1'));
    const stubs = files.filter((f) => f.bytes === 12);
    const changed = files.find(
      (f) => f.path === join(tableFile, '..', `INCREMENTAL.${tableFile.split('/').pop()}`),
    );
    const whole = bytes(join(at('full'), tableFile));
    t.table(
      ['file', 'bytes', 'blocks in it'],
      [
        [`full/${tableFile} (orders)`, whole, whole / 8192],
        [`incr1/${changed?.path}`, changed?.bytes, `${changed?.blocks} of ${changed?.length}`],
        [`incr1: ${stubs.length} of its ${files.length} INCREMENTAL.* files`, 12, 0],
      ],
    );
    t.check(
      'unchanged relations are 12-byte INCREMENTAL.* stubs in incr1: a header that says no block changed',
      stubs.length > files.length / 2 && stubs.every((f) => f.blocks === 0),
      `${stubs.length} stubs of ${files.length} INCREMENTAL.* files`,
    );
    t.check(
      "the changed table's incremental file carries only its changed blocks: under a tenth of its file in the full backup",
      changed !== undefined && changed.blocks > 0 && changed.bytes * 10 < whole,
      `${changed?.bytes} bytes (${changed?.blocks} blocks) vs ${whole}`,
    );

    t.equal(
      'a broken chain is refused: pg_combinebackup full incr2 (incr1 left out) names the start LSN incr2 expects',
      await refusal(source.run('pg_combinebackup', [at('full'), at('incr2'), '-o', at('broken')])),
      `error: backup at "${at('full')}" starts at LSN ${backupLabel(at('full')).start}, but expected ${l2.from}`,
    );
    t.equal(
      'a chain must start with a full backup: pg_combinebackup incr1 alone is refused',
      await refusal(source.run('pg_combinebackup', [at('incr1'), '-o', at('broken')])),
      `error: backup at "${at('incr1')}" is an incremental backup, but the first backup should be a full backup`,
    );

    t.waiting('pg_combinebackup full incr1 incr2, pg_verifybackup, then the result started');
    let verified = '';
    const combined = await createCluster({
      topic: 'backups',
      bin: source.bin,
      start: false,
      restore: async (data, c) => {
        await c.run('pg_combinebackup', [
          at('full'),
          at('incr1'),
          at('incr2'),
          '-o',
          data,
          '--no-sync',
        ]);
        verified = (await c.run('pg_verifybackup', [data])).trim();
      },
    });
    t.defer(() => combined.remove());
    await combined.start();
    const copy = await combined.connect();
    t.defer(() => copy.end());
    const original = await fingerprint(db);
    const restored = await fingerprint(copy);
    t.table(
      ['cluster', 'orders rows', 'md5 of every row'],
      [
        ['the original, now', original.rows, original.md5],
        ['full + incr1 + incr2, combined and started', restored.rows, restored.md5],
      ],
    );
    t.equal(
      'pg_verifybackup checks the combined backup against its manifest',
      verified,
      'backup successfully verified',
    );
    t.equal(
      'the combined backup has every change from both incrementals: the same rows as the original (count and checksum)',
      restored,
      original,
    );
    const programs = readdirSync(source.bin);
    t.show(
      `PostgreSQL ${String(v[0]?.v)}: ${programs.length} programs`,
      programs.filter((p) => /backup|dump|restore|rman/.test(p)).join(', '),
    );
    t.check(
      "PostgreSQL's backup programs are its own: pg_basebackup, pg_combinebackup and pg_verifybackup, and no rman (Oracle's)",
      ['pg_basebackup', 'pg_combinebackup', 'pg_verifybackup'].every((p) => programs.includes(p)) &&
        !programs.some((p) => /rman/i.test(p)),
      programs.join(' '),
    );
  },
);
