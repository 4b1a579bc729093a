// The TLS material nginx serves on 8443, generated at run time with the openssl CLI into
// .cache/services/nginx/certs/ (never committed): a private CA, and one certificate per SNI name
// whose subjectAltName is that name. Regenerated when missing or within a day of expiry.

import { execFileSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceError, which } from './proc.ts';

const TLS_NAMES = ['alpha.test', 'beta.test'] as const;
const DAYS = 30;

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    throw new ServiceError(`openssl ${args[0]} failed: ${stderr.split('\n')[0] ?? ''}`);
  }
}

function fresh(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const cert = new X509Certificate(readFileSync(file));
    return new Date(cert.validTo).getTime() - Date.now() > 24 * 3600 * 1000;
  } catch {
    return false;
  }
}

/** Makes sure certs/ca.pem and certs/<name>.{crt,key} exist and are valid; returns the folder. */
export function ensureCerts(nginxDir: string): string {
  const dir = join(nginxDir, 'certs');
  const files = ['ca.pem', ...TLS_NAMES.map((n) => `${n}.crt`)];
  if (files.every((f) => fresh(join(dir, f)))) return dir;
  if (!which('openssl')) {
    throw new ServiceError(
      'openssl is needed to generate the TLS test certificates: install it (`apt-get install openssl`)',
    );
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      String(DAYS),
      '-subj',
      '/CN=wirenotes test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  for (const name of TLS_NAMES) {
    const ext = `${name}.ext`;
    writeFileSync(
      join(dir, ext),
      [
        `subjectAltName=DNS:${name}`,
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        '',
      ].join('\n'),
    );
    openssl(
      [
        'req',
        '-new',
        ...ec,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      ],
      dir,
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        `0x1${randomBytes(8).toString('hex')}`,
        '-days',
        String(DAYS),
        '-extfile',
        ext,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
    rmSync(join(dir, `${name}.csr`));
    rmSync(join(dir, ext));
  }
  return dir;
}
