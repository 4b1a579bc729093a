// `npx tsx demos/jwt verify <token> (--secret S | --key FILE) [--alg A] [--iss I] [--aud A] [--at TIME]`
// Exit 0 verified, 1 not verified (with the exact reason), 2 bad input.

import { readFileSync } from 'node:fs';
import type { CryptoKey, JWK, JWTVerifyGetKey } from 'jose';
import { createLocalJWKSet } from 'jose/jwks/local';
import { jwtVerify } from 'jose/jwt/verify';
import { importJWK, importSPKI, importX509 } from 'jose/key/import';
import { parseOptions, UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { parseToken } from './decode-command.ts';
import { isHmacAlg, MIN_HMAC_SECRET_BYTES } from './keys.ts';
import { printClaims } from './token-report.ts';

type Key = CryptoKey | Uint8Array | JWTVerifyGetKey;

/** A JWK, a JWKS (the token's kid picks the key) or a PEM public key / certificate. */
async function loadKeyFile(path: string, alg: string): Promise<Key> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(
      `cannot read key file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) return importX509(trimmed, alg);
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) return importSPKI(trimmed, alg);
  if (trimmed.startsWith('-----BEGIN'))
    throw new UsageError(
      `${path}: only PEM public keys and certificates are accepted, not ${trimmed.split('\n')[0]}`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new UsageError(`--key ${path} is not a JWK, a JWKS or a PEM public key`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      `--key ${path} holds ${parsed === null ? 'null' : `a JSON ${Array.isArray(parsed) ? 'array' : typeof parsed}`}; expected a JWK or JWKS object`,
    );
  }
  const json = parsed as { keys?: JWK[] } & JWK;
  if (Array.isArray(json.keys)) return createLocalJWKSet({ keys: json.keys });
  return importJWK(checkedJwk(json, path), alg);
}

/** The members each key type needs (RFC 7518 §6), checked before jose sees the key. */
const JWK_MEMBERS: Record<string, string[]> = {
  RSA: ['n', 'e'],
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  oct: ['k'],
};

function checkedJwk(jwk: JWK, path: string): JWK {
  const need = typeof jwk.kty === 'string' ? JWK_MEMBERS[jwk.kty] : undefined;
  if (!need) {
    throw new UsageError(
      `--key ${path}: "kty" must be one of ${Object.keys(JWK_MEMBERS).join(', ')}, got ${JSON.stringify(jwk.kty ?? null)}`,
    );
  }
  const missing = need.filter((m) => typeof (jwk as Record<string, unknown>)[m] !== 'string');
  if (missing.length) {
    throw new UsageError(
      `--key ${path}: an ${jwk.kty} key needs ${need.map((m) => `"${m}"`).join(', ')}; missing ${missing.map((m) => `"${m}"`).join(', ')}`,
    );
  }
  return jwk;
}

const USAGE =
  '<token> (--secret <s> | --key <file>) [--alg A] [--iss I] [--aud A] [--at <ISO time>]';

/** One sentence per jose failure, for a reader who has to act on it. */
function explainFailure(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ERR_JWT_EXPIRED':
      return `expired: ${e.message}`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad signature: the token was not signed with this key, or was altered';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return `alg not allowed: ${e.message}`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return "no matching key: no key in the JWKS has the token's kid and alg";
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'several keys in the JWKS match and the token names no kid';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim check failed: ${e.message}`;
    case 'ERR_JOSE_NOT_SUPPORTED':
      return `not supported: ${e.message}`;
    default:
      return e.message ?? String(err);
  }
}

export const verifyCommand: Subcommand = {
  name: 'verify',
  usage: USAGE,
  summary: 'verify the signature and claims with a secret, JWK, JWKS or PEM public key',
  run: async (argv, io) => {
    const { values, positionals } = parseOptions(argv, {
      secret: { type: 'string' },
      key: { type: 'string' },
      alg: { type: 'string' },
      iss: { type: 'string' },
      aud: { type: 'string' },
      at: { type: 'string' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out(`Usage: npx tsx demos/jwt verify ${USAGE}`);
      io.out('Exit status: 0 verified, 1 not verified (the reason is printed), 2 bad input.');
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError('verify takes exactly one token');
    const parts = parseToken(positionals[0]);
    if ((values.secret === undefined) === (values.key === undefined)) {
      throw new UsageError('give exactly one of --secret <string> or --key <file>');
    }
    const currentDate = values.at === undefined ? new Date() : new Date(values.at);
    if (Number.isNaN(currentDate.getTime()))
      throw new UsageError(`--at is not a date: "${values.at}" (use ISO 8601)`);
    const alg = values.alg ?? (typeof parts.header.alg === 'string' ? parts.header.alg : 'none');
    const { paint } = io.style;
    let key: Key;
    if (values.secret !== undefined) {
      if (values.secret === '') throw new UsageError('--secret is empty; give the HMAC secret');
      if (!isHmacAlg(alg)) {
        throw new UsageError(
          `--secret is an HMAC secret, but the token's alg is ${alg}, which verifies with a public key: use --key <JWK, JWKS or PEM file>`,
        );
      }
      key = new TextEncoder().encode(values.secret);
      const min = MIN_HMAC_SECRET_BYTES[alg];
      if (key.length < min) {
        io.out(
          paint(
            'yellow',
            `! the secret is ${key.length} bytes; RFC 7518 §3.2 requires at least ${min} for ${alg}`,
          ),
        );
      }
    } else {
      try {
        key = await loadKeyFile(values.key as string, alg);
      } catch (err) {
        if (err instanceof UsageError) throw err;
        io.out(
          `${paint('red', '✗ not verified')}: the key does not fit alg ${alg}: ${(err as Error).message}`,
        );
        return 1;
      }
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(
        positionals[0] as string,
        key as Uint8Array,
        {
          algorithms: [alg],
          issuer: values.iss,
          audience: values.aud,
          currentDate,
        },
      );
      io.out(
        `${paint('green', '✓ verified')} (alg ${protectedHeader.alg}${protectedHeader.kid ? `, kid ${protectedHeader.kid}` : ''})`,
      );
      printClaims(io, payload as Record<string, unknown>, currentDate);
      if (payload.exp === undefined) io.out(paint('yellow', '! no exp: this token never expires'));
      return 0;
    } catch (err) {
      io.out(`${paint('red', '✗ not verified')}: ${explainFailure(err)}`);
      return 1;
    }
  },
};
