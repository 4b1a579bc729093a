// What "the restore worked" means, computed on both sides: the row count and a checksum of every
// row in key order, so a missing, extra or changed row shows.

import type pg from 'pg';

export interface Fingerprint {
  rows: number;
  md5: string;
}

export async function fingerprint(db: pg.Client, table = 'orders'): Promise<Fingerprint> {
  const { rows } = await db.query<{ n: number; h: string }>(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) AS h FROM ${table} t`,
  );
  return { rows: rows[0]?.n ?? 0, md5: rows[0]?.h ?? '' };
}
