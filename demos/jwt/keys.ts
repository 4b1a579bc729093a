// Keys: the HMAC secret policy jose does not enforce, and the signing key ring an auth server
// rotates through, published as a JWKS.

import type { CryptoKey, JWK } from 'jose';
import { exportJWK } from 'jose/key/export';
import { generateKeyPair } from 'jose/key/generate/keypair';

/**
 * RFC 7518 §3.2: an HMAC key MUST be at least as long as the hash output: 32 bytes for HS256,
 * 48 for HS384, 64 for HS512.
 */
export const MIN_HMAC_SECRET_BYTES = { HS256: 32, HS384: 48, HS512: 64 } as const;

type HmacAlg = keyof typeof MIN_HMAC_SECRET_BYTES;

export function isHmacAlg(alg: string): alg is HmacAlg {
  return Object.hasOwn(MIN_HMAC_SECRET_BYTES, alg);
}

class WeakSecret extends Error {
  override name = 'WeakSecret';
  readonly code = 'WEAK_HMAC_SECRET';
}

/** The secret as key bytes, refused when shorter than RFC 7518 allows for `alg` (jose accepts 1 byte). */
export function hmacSecret(secret: string | Uint8Array, alg: HmacAlg = 'HS256'): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  const min = MIN_HMAC_SECRET_BYTES[alg];
  if (bytes.length < min) {
    throw new WeakSecret(
      `${alg} secret is ${bytes.length} bytes; RFC 7518 §3.2 requires at least ${min}`,
    );
  }
  return bytes;
}

export const SIGNING_ALG = 'ES256';

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigningKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

/**
 * The auth server's keys. New tokens are signed with the newest key; older keys stay published
 * until retired, so tokens they signed keep verifying during a rotation.
 */
export class KeyRing {
  private keys: SigningKey[] = [];

  add(key: SigningKey): void {
    this.keys.push(key);
  }

  get current(): SigningKey {
    const key = this.keys.at(-1);
    if (!key) throw new Error('the key ring is empty');
    return key;
  }

  retire(kid: string): void {
    this.keys = this.keys.filter((k) => k.kid !== kid);
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.keys.map((k) => k.publicJwk) };
  }
}
