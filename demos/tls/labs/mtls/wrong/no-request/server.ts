// The TLS options of the internal orders API (node:tls createServer). Only our own services may
// connect: each has a client certificate issued by the clients' CA. `pem` holds, PEM-encoded:
// `key` and `cert` (the server's own key and certificate chain) and `clientCa` (the CA that
// issues the services' client certificates).
// A tempting fix: reject what is not authorized.

export function serverOptions(pem: { key: string; cert: string; clientCa: string }) {
  return { key: pem.key, cert: pem.cert, rejectUnauthorized: true };
}
