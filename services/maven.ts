// Maven, run for the jars and server binaries the services fetch from Maven Central, with a
// progress line every few seconds (files and bytes so far) instead of tens of seconds of
// silence: `-B` without `-q` prints one "Downloaded from central: <url> (<size> at …)" line per
// file, which this reads and sums.

import { spawn } from 'node:child_process';
import { ServiceError, which } from './proc.ts';

const HEARTBEAT_MS = 5_000;

/** "12 kB" / "1.5 MB" as Maven's transfer listener prints them, in bytes. */
function bytes(size: string, unit: string): number {
  const scale: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };
  return Number(size) * (scale[unit] ?? 1);
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * The size of the file a Maven output line says it downloaded, or undefined. Batch mode (`-B`)
 * prefixes the line with its level: "[INFO] Downloaded from central: <url> (3.9 kB at 780 B/s)"
 * (Maven 3.8.7; without the prefix the progress said "0 files" for a whole 40 s fetch).
 */
export function downloadedBytes(line: string): number | undefined {
  const m = /^(?:\[INFO\] )?Downloaded from \S+: \S+ \(([\d.]+) (k?B|KB|MB|GB)/.exec(line);
  return m ? bytes(m[1] as string, m[2] as string) : undefined;
}

/**
 * Runs `mvn -B <args>`, reporting "<what>: N files, M MB so far" every few seconds while it
 * downloads and once at the end; throws a one-line ServiceError with Maven's first ERROR line.
 */
export function mavenFetch(
  args: string[],
  what: string,
  report: (line: string) => void,
  cwd?: string,
): Promise<void> {
  const mvn = which('mvn');
  if (!mvn) {
    return Promise.reject(
      new ServiceError(
        `Maven is needed to fetch ${what} and \`mvn\` is not on PATH: install it with \`npm run setup\` (as root: apt-get install maven)`,
      ),
    );
  }
  const started = Date.now();
  report(`fetching ${what} with Maven (once)…`);
  return new Promise((resolve, reject) => {
    const child = spawn(mvn, ['-B', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let files = 0;
    let total = 0;
    let out = '';
    let pending = '';
    const read = (d: Buffer) => {
      out = (out + d).slice(-20_000);
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) {
        const size = downloadedBytes(l);
        if (size !== undefined) {
          files++;
          total += size;
        }
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    const beat = setInterval(
      () =>
        report(
          `${what}: ${files} files, ${mb(total)} so far (${Math.round((Date.now() - started) / 1000)} s)`,
        ),
      HEARTBEAT_MS,
    );
    child.once('error', (err) => {
      clearInterval(beat);
      reject(new ServiceError(`mvn: ${err.message}`));
    });
    child.once('close', (code) => {
      clearInterval(beat);
      if (code === 0) {
        report(
          `${what}: ${files} files, ${mb(total)} in ${Math.round((Date.now() - started) / 1000)} s`,
        );
        resolve();
        return;
      }
      const why = out.split('\n').find((l) => l.includes('ERROR')) ?? out.slice(-300);
      reject(
        new ServiceError(`Maven could not fetch ${what} (exit ${code}): ${why.slice(0, 300)}`),
      );
    });
  });
}
