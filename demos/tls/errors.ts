// The error codes Node reports for failed TLS connections, and one sentence on each.

/** One sentence per verification error a reader is likely to meet. */
export const MEANINGS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'the certificate’s notAfter date is in the past.',
  CERT_NOT_YET_VALID: 'the certificate’s notBefore date is in the future.',
  ERR_TLS_CERT_ALTNAME_INVALID:
    'the chain is trusted, but no subjectAltName matches the name asked for.',
  DEPTH_ZERO_SELF_SIGNED_CERT:
    'the server sent one certificate that signed itself, and it is not a trust anchor.',
  SELF_SIGNED_CERT_IN_CHAIN:
    'the chain ends in a root the server sent itself, and that root is not trusted here.',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    'the issuer of the last certificate sent is not in the trust store (a private CA?).',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    'only the leaf arrived and its issuer is unknown: the server left out its intermediate.',
  CERT_SIGNATURE_FAILURE: 'a signature in the chain does not verify.',
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'the two sides share no TLS version.',
  ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL: 'the server supports none of the ALPN protocols.',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the reply is not TLS (a plain-HTTP port?).',
};

/** Every claim that a handshake failed reads the code off the error Node gave. */
export function codeOf(err: unknown): string {
  return String((err as { code?: unknown })?.code ?? (err as Error)?.message ?? err);
}
