// The TLS options of the internal orders API (node:tls createServer). Only our own services may
// connect: each has a client certificate issued by the clients' CA. `pem` holds, PEM-encoded:
// `key` and `cert` (the server's own key and certificate chain) and `clientCa` (the CA that
// issues the services' client certificates).
// Anyone who can reach the port gets in today.

export function serverOptions(pem: { key: string; cert: string; clientCa: string }) {
  // TODO: the server asks for a certificate, and lets the client in whatever it sends.
  return { key: pem.key, cert: pem.cert, requestCert: true, rejectUnauthorized: false };
}
