// Reading a compact JWS without any key: the three base64url parts and what they say.

export interface TokenParts {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** The raw base64url segments, as they travel. */
  segments: [string, string, string];
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export class MalformedToken extends Error {
  override name = 'MalformedToken';
}

function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (!BASE64URL.test(segment)) throw new MalformedToken(`the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new MalformedToken(`the ${what} is not base64url-encoded JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MalformedToken(`the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** Splits and decodes a token. No key is involved: this is reading, not verifying. */
export function readToken(token: string): TokenParts {
  const segments = token.trim().split('.');
  if (segments.length !== 3) {
    throw new MalformedToken(
      `a compact JWT has 3 dot-separated parts, this has ${segments.length}`,
    );
  }
  const [h, p, s] = segments as [string, string, string];
  if (!BASE64URL.test(s)) throw new MalformedToken('the signature is not base64url');
  return {
    header: decodeSegment(h, 'header'),
    payload: decodeSegment(p, 'payload'),
    segments: [h, p, s],
  };
}

/** The registered time claims as ISO dates with a human offset from `now`. */
export function describeTime(seconds: unknown, now: Date): string | undefined {
  if (typeof seconds !== 'number') return undefined;
  const at = new Date(seconds * 1000);
  const delta = Math.round((at.getTime() - now.getTime()) / 1000);
  const span = humanDuration(Math.abs(delta));
  return `${at.toISOString()} (${delta >= 0 ? `in ${span}` : `${span} ago`})`;
}

function humanDuration(seconds: number): string {
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n && parts.length < 2) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(' ') || '0s';
}

/** Warnings a reader should see before trusting anything in the token. */
export function warnings(parts: TokenParts, now: Date): string[] {
  const out: string[] = [];
  const { alg } = parts.header;
  if (alg === 'none' || alg === undefined)
    out.push('alg is "none": the token is unsigned; a verifier must reject it');
  if (typeof alg === 'string' && alg.startsWith('HS')) {
    out.push(
      `alg ${alg} is an HMAC: whoever can verify it holds the same secret and can mint tokens`,
    );
  }
  if (parts.payload.exp === undefined)
    out.push('no exp: the token never expires unless the verifier demands exp');
  else if (typeof parts.payload.exp === 'number' && parts.payload.exp * 1000 < now.getTime())
    out.push('exp is in the past: the token has expired');
  if (parts.header.jku !== undefined || parts.header.x5u !== undefined) {
    out.push(
      'the header names a key URL (jku/x5u): a verifier must never fetch keys from the token itself',
    );
  }
  return out;
}
