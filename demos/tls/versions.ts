// What the TLS demo measures differently on different stacks. Node's bundled OpenSSL decides the
// default key exchange; Node itself decides what its API reports and how SNICallback contexts are
// applied; the openssl binary decides how s_client words the group. Each case names the exact
// versions it was measured on; a stack no case covers fails its step until someone measures it.

import { atLeast, type VersionFact } from '../kit/versions.ts';

const major = (v: string) => Number.parseInt(v, 10);
const openssl30 = (v: string) => atLeast(v, '3.0') && !atLeast(v, '3.1');
const OPENSSL_30 = 'Node 20.20.2 (OpenSSL 3.0.19)';
const OPENSSL_35 = 'Node 22.23.5, 24.22.3, 26.12.1 (OpenSSL 3.5.9); 24.19.0, 24.20.0 (3.5.7)';

/**
 * A fact decided by Node's bundled OpenSSL: one value on 3.0, another from 3.5 on. `seen35` names
 * the 3.5 stacks it was measured on when they are not all of OPENSSL_35.
 */
function byOpenssl(
  id: string,
  fact: string,
  on30: string,
  from35: string,
  seen35 = OPENSSL_35,
): VersionFact {
  return {
    id,
    fact,
    part: 'node openssl',
    cases: [
      { when: 'OpenSSL 3.0', applies: openssl30, value: on30, seen: OPENSSL_30 },
      { when: 'OpenSSL ≥ 3.5', applies: (v) => atLeast(v, '3.5'), value: from35, seen: seen35 },
    ],
  };
}

export const keySharesFact = byOpenssl(
  'key-shares',
  'key shares in a default TLS 1.3 ClientHello',
  'x25519 (32 bytes)',
  'X25519MLKEM768 (1216 bytes), x25519 (32 bytes)',
);

export const supportedGroupsFact = byOpenssl(
  'supported-groups',
  'supported_groups in a default ClientHello',
  'x25519, secp256r1, x448, secp521r1, secp384r1, ffdhe2048, ffdhe3072, ffdhe4096, ffdhe6144, ffdhe8192',
  'X25519MLKEM768, x25519, secp256r1, x448, secp384r1, secp521r1, ffdhe2048, ffdhe3072',
);

export const defaultGroupFact = byOpenssl(
  'default-group',
  'group a default Node client and server agree on (ServerHello key_share)',
  'x25519',
  'X25519MLKEM768',
);

export const mlkemFact = byOpenssl(
  'mlkem-option',
  "ecdhCurve: 'X25519MLKEM768'",
  'refused: Failed to set ECDH curve',
  'accepted',
);

// OpenSSL renamed the reason strings of received alerts ("sslv3 alert handshake failure" became
// "ssl/tls alert handshake failure", ssl/ssl_err.c), and Node builds its error code from that text.
export const handshakeFailureFact = byOpenssl(
  'handshake-failure-code',
  "Node's error code for a handshake_failure alert from the server",
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
  'Node 22.23.5, 24.22.3, 26.12.1 (OpenSSL 3.5.9)',
);

export const keyInfoFact: VersionFact = {
  id: 'ephemeral-key-info',
  fact: 'client getEphemeralKeyInfo() after a default TLS 1.3 handshake',
  part: 'node',
  cases: [
    {
      when: 'Node 20',
      applies: (v) => major(v) === 20,
      value: '{"type":"ECDH","name":"X25519","size":253}',
      seen: 'Node 20.20.2',
    },
    { when: 'Node 22', applies: (v) => major(v) === 22, value: '{}', seen: 'Node 22.23.5' },
    {
      when: 'Node ≥ 24.19',
      applies: (v) => atLeast(v, '24.19'),
      value: '{"type":"TLSGroup","name":"X25519MLKEM768"}',
      seen: 'Node 24.19.0, 24.22.3, 26.12.1',
    },
  ],
};

export const sniChainFact: VersionFact = {
  id: 'sni-context-chain',
  fact: 'chain sent when SNICallback returns a context without one',
  part: 'node',
  cases: [
    {
      when: 'Node 20, 22, 24 < 24.20',
      applies: (v) =>
        major(v) === 20 || major(v) === 22 || (major(v) === 24 && !atLeast(v, '24.20')),
      value: "leaf + the default context's intermediate (ERR_TLS_CERT_ALTNAME_INVALID)",
      seen: 'Node 20.20.2, 22.23.5, 24.19.0',
    },
    {
      when: 'Node 24 ≥ 24.20, ≥ 26.7',
      applies: (v) => (major(v) === 24 && atLeast(v, '24.20')) || atLeast(v, '26.7'),
      value: 'leaf only (UNABLE_TO_VERIFY_LEAF_SIGNATURE)',
      seen: 'Node 24.20.0, 24.22.3, 26.12.1',
    },
  ],
};

export const sClientGroupFact: VersionFact = {
  id: 's-client-group',
  fact: 'how `openssl s_client -brief` names the group',
  part: 'openssl (binary)',
  cases: [
    {
      when: 'openssl 3.0',
      applies: openssl30,
      value: 'Server Temp Key: X25519, 253 bits',
      seen: 'OpenSSL 3.0.19 (Debian 12 package)',
    },
  ],
};

export const nginxGroupFact: VersionFact = {
  id: 'nginx-group',
  fact: "group nginx picks for Node's default ClientHello",
  part: 'nginx openssl',
  cases: [
    {
      when: 'nginx on OpenSSL 3.0',
      applies: openssl30,
      value: 'x25519, without a HelloRetryRequest',
      seen: 'nginx 1.22.1 (running OpenSSL 3.0.19) with Node 20.20.2, 22.23.5, 24.22.3, 26.12.1',
    },
  ],
};

export const versions: VersionFact[] = [
  keySharesFact,
  supportedGroupsFact,
  defaultGroupFact,
  mlkemFact,
  handshakeFailureFact,
  keyInfoFact,
  sniChainFact,
  sClientGroupFact,
  nginxGroupFact,
];
