// What people say about TLS, SNI and HTTPS set-up (seed 000's "TLS-SNI" and "How an https
// connection is set up", seed 001, interview lore), each decided by a claim a step makes.

import type { LedgerEntry } from '../kit/ledger.ts';

export const ledger: LedgerEntry[] = [
  {
    id: 'sni-extension',
    said: 'Server Name Indication is an extension of the TLS protocol.',
    source: 'seed 000:73',
    verdict: 'holds',
    truth: 'It is the server_name extension of the ClientHello (RFC 6066 §3).',
    by: { step: 'clienthello', claim: 'the hand-written parser finds it in the server_name' },
  },
  {
    id: 'sni-like-host',
    said: 'SNI is the analogue of the Host header when an https connection is set up.',
    source: 'seed 000:73',
    verdict: 'partly',
    truth:
      'Both name the site, but SNI travels in the ClientHello before any HTTP, selects the TLS configuration, and cannot carry an IP, so a client connecting by IP sends none.',
    by: { step: 'sni', claim: 'a client connecting by IP sends no SNI' },
  },
  {
    id: 'sni-picks-certificate',
    said: 'From SNI the server learns which certificate to return for the ClientHello.',
    source: 'seed 000:73',
    verdict: 'holds',
    truth: 'One address, one port: the name in the ClientHello chooses the certificate.',
    by: { step: 'sni', claim: 'asking for beta.test on the same port returns' },
  },
  {
    id: 'client-hello-contents',
    said: 'The client asks to connect and sends the encryption methods it supports and a "client random".',
    source: 'seed 000:233',
    verdict: 'holds',
    truth:
      'The ClientHello lists cipher suites and carries a 32-byte random, plus SNI, ALPN, groups and key shares.',
    by: { step: 'clienthello', claim: 'it offers cipher suites and carries a 32-byte' },
  },
  {
    id: 'client-requests-key',
    said: "The client requests the server's certificate and key.",
    source: 'seed 000:233',
    verdict: 'wrong',
    truth:
      'The server sends its certificate unasked in every full handshake; its private key never leaves it.',
    by: { step: 'handshake', claim: 'the server’s private key never crosses the wire' },
  },
  {
    id: 'server-sends-certificate',
    said: 'The server confirms the chosen encryption, sends a "server random", its public key and its certificate.',
    source: 'seed 000:234',
    verdict: 'holds',
    truth:
      'ServerHello carries the choice and a random; the public key is inside the certificate, readable in TLS 1.2 and encrypted in TLS 1.3.',
    by: { step: 'handshake', claim: 'TLS 1.2: the server’s first flight is all readable' },
  },
  {
    id: 'client-asks-ca',
    said: 'The client checks with the CA that the certificate really belongs to the server.',
    source: 'seed 000:235',
    verdict: 'wrong',
    truth:
      'No message goes to a CA: the chain is verified offline against the client’s own trust anchors, and the name checked separately.',
    by: { step: 'trust', claim: 'the AIA/CRL/OCSP listener received 0 connections' },
  },
  {
    id: 'ca-confirms',
    said: 'The CA confirms that the certificate matches the server.',
    source: 'seed 000:236',
    verdict: 'wrong',
    truth: 'The CA takes no part in the connection; it signed the certificate long before.',
    by: { step: 'setup', claim: 'no CA was contacted while the connection was set up' },
  },
  {
    id: 'dh-encrypted-to-server',
    said: "The client makes a session key by Diffie-Hellman and sends it encrypted with the server's public key.",
    source: 'seed 000:237',
    verdict: 'wrong',
    truth:
      'In (EC)DHE both sides send public shares and each computes the secret; the certificate key only signs. Encrypting to it was RSA key transport, gone in TLS 1.3.',
    by: { step: 'handshake', claim: 'the server’s certificate key is EC P-256, a signing-only' },
  },
  {
    id: 'server-decrypts-dh',
    said: 'The server decrypts the random string with its private key and recovers the session key by Diffie-Hellman.',
    source: 'seed 000:238',
    verdict: 'wrong',
    truth:
      'Nothing is decrypted: the server combines its ephemeral private key with the client’s public share.',
    by: { step: 'key-share', claim: 'the server’s X25519 share travels in clear in ServerHello' },
  },
  {
    id: 'symmetric-after',
    said: 'All later messages are encrypted and decrypted with the session key: symmetric ("synchronous") encryption.',
    source: 'seed 000:239',
    verdict: 'holds',
    truth:
      'Symmetric, yes: an AEAD suite such as TLS_AES_256_GCM_SHA384 with keys derived by HKDF (RFC 8446 §7.1), one per direction.',
    by: { step: 'handshake', claim: 'both ends agree on TLS 1.3 and its cipher suite' },
  },
  {
    id: 'tcpdump-handshake',
    said: 'tcpdump shows whether the TLS handshake is completing.',
    source: 'seed 001:190',
    verdict: 'partly',
    truth:
      'A capture shows the records and which are in clear; in TLS 1.3 everything after ServerHello is encrypted, so it shows flights and sizes, not message names.',
    by: { step: 'handshake', claim: 'TLS 1.3: only the ServerHello is readable' },
  },
  {
    id: 'mtls',
    said: 'A service mesh gives you mTLS: both sides authenticate with certificates.',
    source: 'seed 001:28',
    verdict: 'holds',
    truth:
      'With requestCert the server asks for a client certificate (CertificateRequest, RFC 8446 §4.3.2) and verifies it against its own trust anchors.',
    by: { step: 'mtls', claim: 'with a certificate from the trusted CA the server' },
  },
  {
    id: 'proxy-terminates-tls',
    said: 'The proxy in front of a service can terminate TLS.',
    source: 'seed 000:324',
    verdict: 'holds',
    truth:
      'nginx here ends the TLS connections itself: it holds the certificates and keys and picks one per SNI name.',
    by: { step: 'nginx', claim: 'nginx serves alpha.test’s certificate for SNI alpha.test' },
  },
  {
    id: 'servername-default',
    said: 'tls.connect sends the host as SNI unless it is an IP.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'tls.connect sends SNI only when given servername; the https agent and undici fill it in.',
    by: { step: 'sni', claim: "tls.connect({ host: 'localhost' }) sends no SNI" },
  },
  {
    id: 'sni-hidden',
    said: 'HTTPS hides which site I visit.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'The SNI name is plain ASCII in every ClientHello unless ECH is used (no Node line here has it).',
    by: { step: 'clienthello', claim: 'the name alpha.test is in the raw bytes as plain ASCII' },
  },
  {
    id: 'x25519-is-tls13',
    said: 'The TLS 1.3 key exchange is X25519.',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'X25519 is one group; with OpenSSL 3.5 Node negotiates the hybrid X25519MLKEM768 by default, with 3.0 X25519.',
    by: { step: 'key-share', claim: 'the default group a Node client and server agree on' },
  },
  {
    id: 'pq-replaces-x25519',
    said: 'Post-quantum TLS replaces X25519 with ML-KEM.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'X25519MLKEM768 runs ML-KEM-768 and X25519 together, and the ClientHello still carries a plain X25519 share for servers without ML-KEM.',
    by: { step: 'clienthello', claim: 'the default ClientHello carries the key shares' },
  },
  {
    id: 'one-round-trip',
    said: 'A TLS 1.3 handshake always takes one round trip.',
    source: 'lore',
    verdict: 'partly',
    truth:
      'One, unless the client sent no share for a group the server accepts: a HelloRetryRequest adds one.',
    by: { step: 'hrr', claim: 'the retry costs a round trip' },
  },
  {
    id: 'key-info',
    said: 'getEphemeralKeyInfo() tells you the key exchange and its size.',
    source: 'lore',
    verdict: 'depends on version',
    truth:
      'Node 20 gives name and size; for the hybrid Node 22 gives {} and Node ≥ 24.19 a name without a size; the ServerHello on the wire always names the group.',
    by: { step: 'key-share', claim: 'getEphemeralKeyInfo() after that handshake is' },
  },
  {
    id: 'node-checks-revocation',
    said: 'Node refuses a revoked certificate.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Only when the application passes CRLs (the crl option) or checks a stapled OCSP response itself.',
    by: { step: 'trust', claim: 'a revoked certificate verifies when the client is given no CRL' },
  },
  {
    id: 'trusted-is-enough',
    said: 'A certificate from a trusted CA is enough.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'The name check is separate: a trusted certificate for another name fails it.',
    by: { step: 'hostname', claim: 'a trusted chain with the wrong name' },
  },
  {
    id: 's-client-verifies',
    said: '`openssl s_client` saying "Verification: OK" means the certificate is right for the host.',
    source: 'lore',
    verdict: 'wrong',
    truth: 'Without -verify_hostname s_client checks the chain only.',
    by: { step: 'openssl', claim: 'without -verify_hostname openssl accepts' },
  },
  {
    id: 'browser-chain',
    said: 'It works in the browser, so the chain is fine.',
    source: 'lore',
    verdict: 'wrong',
    truth:
      'Browsers may repair a missing intermediate from AIA or a cache; Node and OpenSSL do not and fail.',
    by: { step: 'failures', claim: 'missing intermediate → UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  },
  {
    id: 'tls13-hides-cert',
    said: 'In TLS 1.3 a passive observer cannot read the certificate.',
    source: 'lore',
    verdict: 'holds',
    truth: 'The Certificate message is encrypted in 1.3; in 1.2 it crosses in clear.',
    by: { step: 'handshake', claim: 'TLS 1.3: the leaf certificate never appears in clear' },
  },
  {
    id: 'clienterror-400',
    said: "Node's HTTP server answers a TLS handshake sent to it with 400 Bad Request.",
    source: 'lore',
    verdict: 'holds',
    truth:
      'With no clientError listener Node writes the 400 and closes; the TLS client then fails with ERR_SSL_WRONG_VERSION_NUMBER.',
    by: { step: 'failures', claim: 'Node’s HTTP server, with no clientError listener' },
  },
];
