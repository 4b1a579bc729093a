// What people say about JWT (seed 000's "What is a JWT. What it consists of", interview lore),
// each decided by a claim a step makes.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'three-parts',
    said: 'A JWT is a string of the form header.payload.signature.',
    source: 'seed 000:296',
    verdict: 'holds',
    truth: 'A compact JWS: three base64url parts joined by dots (RFC 7515 §7.1).',
    by: { step: 'anatomy', claim: 'a compact JWT is three parts joined by dots' },
  },
  {
    id: 'three-parties',
    said: 'Three parties: the user, the application server and the authentication server, which gives the user a token.',
    source: 'seed 000:297',
    verdict: 'holds',
    truth: 'The auth server issues the token at login; the app only verifies it.',
    by: { step: 'flow', claim: 'login answers 200 with a Bearer access token' },
  },
  {
    id: 'header-says-how',
    said: 'The header says how the signature is computed: {"alg": "HS256", "typ": "JWT"}.',
    source: 'seed 000:299',
    verdict: 'holds',
    truth: 'alg names the algorithm and typ the media type; a verifier still pins both itself.',
    by: { step: 'anatomy', claim: 'the header names the algorithm and the type' },
  },
  {
    id: 'payload-is-data',
    said: 'The payload is the useful data stored inside the JWT, the claims.',
    source: 'seed 000:302',
    verdict: 'holds',
    truth: 'It is a JSON claims set, readable by anyone: signed, not encrypted.',
    by: { step: 'anatomy', claim: 'the payload decodes without any key' },
  },
  {
    id: 'iss-sub-exp',
    said: 'iss is the application the token is sent from, sub the subject, exp the lifetime of the token.',
    source: 'seed 000:306',
    verdict: 'partly',
    truth:
      'iss is the issuer (the auth server, not the sender); exp is a point in time, seconds since the epoch, so the lifetime is exp − iat.',
    by: { step: 'claims', claim: 'the access token lives 300 s: exp - iat' },
  },
  {
    id: 'claims-optional',
    said: 'These fields are useful, but not mandatory.',
    source: 'seed 000:309',
    verdict: 'partly',
    truth:
      'Optional in the format (RFC 7519 §4.1), but a verifier must require exp and the others it relies on; jose accepts a token without exp unless told.',
    by: { step: 'claims', claim: 'jose accepts a token with no exp unless told to require it' },
  },
  {
    id: 'base64',
    said: 'The header and payload are encoded with base64.',
    source: 'seed 000:311',
    verdict: 'wrong',
    truth: 'base64url, without padding: no +, / or = to escape in URLs and headers.',
    by: { step: 'anatomy', claim: 'every part uses the base64url alphabet' },
  },
  {
    id: 'hmac-encrypts',
    said: 'The signature is the header and payload joined by a dot and encrypted with HMAC-SHA256 using a secret key.',
    source: 'seed 000:311',
    verdict: 'wrong',
    truth:
      'HMAC is a keyed hash: it is recomputed and compared, nothing is encrypted or decrypted.',
    by: { step: 'anatomy', claim: 'the signature is HMAC-SHA256 of "header.payload"' },
  },
  {
    id: 'login-at-auth',
    said: 'The user logs in at the authentication server with a login and password; it creates a JWT and sends it back.',
    source: 'seed 000:313',
    verdict: 'holds',
    truth:
      'The auth server answers the login with a signed access token (and here a refresh token).',
    by: { step: 'flow', claim: 'login answers 200 with a Bearer access token' },
  },
  {
    id: 'token-with-request',
    said: 'The user adds the JWT to each API request, and the app checks from it who the user is.',
    source: 'seed 000:315',
    verdict: 'holds',
    truth: '`Authorization: Bearer <token>` (RFC 6750 §2.1); the app verifies it and reads `sub`.',
    by: { step: 'flow', claim: 'the app server accepts the token and knows who the caller is' },
  },
  {
    id: 'app-gets-secret',
    said: 'The application server gets the secret key from the authentication server and recomputes the signature.',
    source: 'seed 000:317',
    verdict: 'partly',
    truth:
      'Only with HS256, which lets every app mint tokens; with ES256 or RS256 the app fetches public keys (JWKS) and holds no secret.',
    by: { step: 'flow', claim: "the app's configuration holds no secret" },
  },
  {
    id: 'refresh-one-job',
    said: 'A refresh token does one job: getting a new access token, from the authorization server.',
    source: 'seed 000:319',
    verdict: 'holds',
    truth:
      'Only the auth server reads it; it answers with a new access token and, with rotation, a new refresh token.',
    by: { step: 'refresh', claim: 'a refresh returns 200 with a new access token' },
  },
  {
    id: 'refresh-single-use',
    said: 'Refresh tokens are long-lived but single-use.',
    source: 'seed 000:319',
    verdict: 'partly',
    truth:
      'Single-use with rotation (RFC 9700 §4.14.2), and a replay revokes the family; "long-lived" holds for the grant, while each token lives until its first use and SHOULD expire after inactivity.',
    by: { step: 'refresh', claim: 'reusing a spent refresh token fails with invalid_grant' },
  },
  {
    id: 'refresh-when-expired',
    said: 'When the access token expires you send the refresh token and get a new pair; the refresh token lives much longer.',
    source: 'seed 000:320',
    verdict: 'holds',
    truth: 'Access tokens stay short-lived (here 300 s) because they cannot be revoked before exp.',
    by: { step: 'refresh', claim: 'the access token stays short-lived' },
  },
  {
    id: 'any-secret',
    said: 'Any secret will do for HS256.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'RFC 7518 §3.2 requires at least the hash size, 32 bytes; a short one falls to an offline search.',
    by: { step: 'hs256', claim: 'a 1-byte secret is recovered from a single token' },
  },
  {
    id: 'hmac-32-bytes',
    said: 'An HMAC key needs 32 bytes.',
    source: 'lore',
    verdict: 'partly',
    truth: 'That is HS256; HS384 needs 48 bytes and HS512 64, the size of their hashes.',
    by: { step: 'hs256', claim: 'the policy refuses that 32-byte secret for HS384' },
  },
  {
    id: 'eddsa-name',
    said: 'Ed25519 tokens use alg EdDSA.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'RFC 9864 deprecates EdDSA for the fully-specified Ed25519; jose accepts both, and an allowlist of one refuses the other.',
    by: { step: 'ed25519', claim: 'an allowlist of one name refuses the other' },
  },
  {
    id: 'alg-none',
    said: 'A verifier can trust the alg in the header.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'The token names its own alg; pin the accepted algorithms in the verifier.',
    by: { step: 'attacks', claim: 'alg "none" is outside the allowlist' },
  },
  {
    id: 'embedded-jwk',
    said: 'A token can carry the public key that verifies it (the jwk header).',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Then anyone signs with their own key (CVE-2018-0114); verify against keys you trust, never the header’s.',
    by: { step: 'attacks', claim: 'a verifier that takes the key from the header' },
  },
  {
    id: 'kid-lookup',
    said: 'The kid header can be used to look the key up in a file or a database.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'kid only selects among keys already trusted; used as a path or SQL it is an injection.',
    by: { step: 'attacks', claim: 'a kid holding a path (../../../../dev/null) only fails' },
  },
  {
    id: 'same-issuer-enough',
    said: 'A token signed by our auth server is a valid access token.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'The same key may sign ID tokens or other JWTs; pin typ (at+jwt, RFC 9068) and the audience.',
    by: { step: 'attacks', claim: 'a token the auth server really signed, but with typ JWT' },
  },
  {
    id: 'logout-revokes',
    said: 'A JWT can be revoked by logging out.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Not before exp unless every verifier checks a deny list; revoke the refresh tokens and keep access tokens short.',
    by: { step: 'refresh', claim: 'access tokens already issued stay valid until exp' },
  },
  {
    id: 'remove-key',
    said: 'Removing a key from the JWKS stops its tokens at once.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Verifiers cache the set until it refreshes.',
    by: { step: 'rotation', claim: 'right after the old key is retired' },
  },
];
