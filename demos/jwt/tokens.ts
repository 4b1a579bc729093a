// Token forging for the demo's attacks and claim checks: tokens built by hand, exactly as an
// attacker or a careless issuer would build them.

import type { CryptoKey, JWTHeaderParameters, JWTPayload } from 'jose';
import { SignJWT } from 'jose/jwt/sign';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs arbitrary claims with arbitrary header fields. */
export function sign(
  key: CryptoKey | Uint8Array,
  payload: JWTPayload,
  header: JWTHeaderParameters,
): Promise<string> {
  return new SignJWT(payload).setProtectedHeader(header).sign(key);
}

/** The same token with a different payload and the original signature. */
export function withPayload(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64(payload)}.${signature}`;
}

/** An unsecured JWT (RFC 7519 §6): alg "none" and an empty signature. */
export function unsigned(payload: JWTPayload, typ = 'JWT'): string {
  return `${b64({ alg: 'none', typ })}.${b64(payload)}.`;
}

/** Seconds since the epoch, the unit of exp, nbf and iat (RFC 7519 §2 NumericDate). */
export const epoch = (date: Date) => Math.floor(date.getTime() / 1000);
