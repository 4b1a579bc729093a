// The TLS options of the alpha.test server (node:tls createServer). Browsers are happy with it;
// curl, Node and Go clients that trust our private root fail with "unable to verify the first
// certificate". `pem` holds, PEM-encoded: `key` (the leaf's private key), `leaf` (the alpha.test
// certificate), `intermediate` (Demo Intermediate CA, which signed the leaf) and `root` (Demo
// Root CA, which signed the intermediate and which every client already trusts).
// A tempting fix: send the CA certificate along with the leaf.

export function serverOptions(pem: {
  key: string;
  leaf: string;
  intermediate: string;
  root: string;
}) {
  return { key: pem.key, cert: pem.leaf + pem.root };
}
