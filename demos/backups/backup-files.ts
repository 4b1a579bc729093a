// What a base backup's folder says about itself: its backup_label (where the backup starts and,
// for an incremental one, the LSN of the backup it was taken against), and the INCREMENTAL.<file>
// files an incremental backup holds in place of relation files, each with a header that counts
// the blocks it carries (src/backend/backup/basebackup_incremental.c: a magic number, the block
// count, the relation's length in blocks, then the block numbers and the blocks).

import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

const INCREMENTAL_MAGIC = 0xd3ae1f0d;

export interface Label {
  /** START WAL LOCATION. */
  start: string;
  /** INCREMENTAL FROM LSN (an incremental backup only). */
  from?: string;
}

export function backupLabel(dir: string): Label {
  const text = readFileSync(join(dir, 'backup_label'), 'utf8');
  const start = /^START WAL LOCATION: (\S+)/m.exec(text)?.[1];
  if (!start) throw new Error(`${dir}/backup_label has no START WAL LOCATION`);
  return { start, from: /^INCREMENTAL FROM LSN: (\S+)/m.exec(text)?.[1] };
}

export interface IncrementalFile {
  /** Relative to the backup: base/5/INCREMENTAL.16384. */
  path: string;
  bytes: number;
  /** Blocks it carries (changed since the earlier backup), and the relation's length in blocks. */
  blocks: number;
  length: number;
}

function header(file: string): { blocks: number; length: number } {
  const b = Buffer.alloc(12);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, b, 0, 12, 0);
  } finally {
    closeSync(fd);
  }
  if (b.readUInt32LE(0) !== INCREMENTAL_MAGIC) throw new Error(`${file}: not an incremental file`);
  return { blocks: b.readUInt32LE(4), length: b.readUInt32LE(8) };
}

/** Every INCREMENTAL.* file of an incremental backup. */
export function incrementalFiles(dir: string): IncrementalFile[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => basename(f).startsWith('INCREMENTAL.'))
    .map((path) => {
      const file = join(dir, path);
      return { path, bytes: statSync(file).size, ...header(file) };
    });
}

/** Every file's bytes under `dir`, added up (a backup's size on disk, roughly). */
export function folderBytes(dir: string): number {
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => statSync(join(dir, f)))
    .filter((st) => st.isFile())
    .reduce((sum, st) => sum + st.size, 0);
}

/** A file's size in bytes, 0 when it is not there. */
export function bytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
