// Refresh-token rotation with reuse detection (RFC 9700 §4.14.2): every refresh returns a new
// token and invalidates the old one; presenting an invalidated token revokes its whole family.

import { createHash, randomBytes } from 'node:crypto';

interface Entry {
  family: string;
  sub: string;
  scope: string;
  used: boolean;
}

type Rotation =
  | { ok: true; sub: string; scope: string; token: string }
  | { ok: false; reason: 'unknown' | 'reused' | 'revoked' };

/** Only hashes are kept, so a leaked store does not leak usable tokens. */
const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

export class RefreshStore {
  private entries = new Map<string, Entry>();
  private revokedFamilies = new Set<string>();

  issue(sub: string, scope: string, family = randomBytes(8).toString('hex')): string {
    const token = randomBytes(32).toString('base64url');
    this.entries.set(digest(token), { family, sub, scope, used: false });
    return token;
  }

  rotate(token: string): Rotation {
    const entry = this.entries.get(digest(token));
    if (!entry) return { ok: false, reason: 'unknown' };
    if (this.revokedFamilies.has(entry.family)) return { ok: false, reason: 'revoked' };
    if (entry.used) {
      // Someone replayed a spent token: the server cannot tell thief from owner, so it ends the grant.
      this.revokedFamilies.add(entry.family);
      return { ok: false, reason: 'reused' };
    }
    entry.used = true;
    return {
      ok: true,
      sub: entry.sub,
      scope: entry.scope,
      token: this.issue(entry.sub, entry.scope, entry.family),
    };
  }
}
