// A throwaway PKI built in memory at run time: a private root CA, an intermediate, leaves for
// alpha.test and beta.test, and deliberately broken certificates. Keys come from node:crypto;
// node-forge lays out each TBSCertificate (names, validity, extensions), and the real public key
// and the signature are filled in with node:crypto, because forge only speaks RSA and the CAs
// here use EC P-256 keys, which generate in well under a millisecond. Nothing touches the disk.

import { createHash, generateKeyPair, type KeyObject, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

const { pki, asn1 } = forge;
const generate = promisify(generateKeyPair);

export interface Issued {
  /** What the certificate is for, in the transcript ("alpha.test leaf"). */
  label: string;
  certPem: string;
  keyPem: string;
  /** The chain a server sends after the leaf (intermediates, sometimes the root). */
  chainPem: string[];
}

export interface Pki {
  rootPem: string;
  intermediatePem: string;
  /** A second root nobody trusts, and the leaf it signed. */
  rogueRootPem: string;
  alpha: Issued;
  beta: Issued;
  /** The certificate a server returns when the client names nothing (no SNI). */
  fallback: Issued;
  expired: Issued;
  notYetValid: Issued;
  selfSigned: Issued;
  /** Signed by the rogue root; chainPem includes that root. */
  rogue: Issued;
  /** The alpha leaf served without its intermediate. */
  incomplete: Issued;
  /** A client certificate for mutual TLS (CN=service-a, clientAuth), and one from the rogue root. */
  client: Issued;
  rogueClient: Issued;
  /** A leaf the intermediate's CRL lists as revoked. */
  revoked: Issued;
  /** CRLs a client may pass as `crl`: the root's (empty) and the intermediate's (revoked.test). */
  crls: string[];
  /** Where AIA / CRL / OCSP URLs in the certificates point (a listener the demo watches). */
  revocationBase: string;
  /** Milliseconds spent generating keys and certificates. */
  ms: { keys: number; certs: number };
}

const DAY = 86_400_000;

interface KeyPair {
  node: KeyObject;
  pem: string;
  /** SubjectPublicKeyInfo, DER. */
  spki: Buffer;
  type: 'rsa' | 'ec';
}

async function newKey(type: 'rsa' | 'ec'): Promise<KeyPair> {
  const { publicKey, privateKey } =
    type === 'rsa'
      ? await generate('rsa', { modulusLength: 2048 })
      : await generate('ec', { namedCurve: 'P-256' });
  return {
    node: privateKey,
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    spki: publicKey.export({ type: 'spki', format: 'der' }),
    type,
  };
}

const der = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
const fromDer = (bytes: Buffer) => asn1.fromDer(bytes.toString('binary'));
const oid = (dotted: string) =>
  asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(dotted).getBytes());

/** sha256WithRSAEncryption (RFC 4055 §5, NULL parameters) or ecdsa-with-SHA256 (RFC 5758 §3.2). */
function algorithmIdentifier(key: KeyPair): forge.asn1.Asn1 {
  const parts =
    key.type === 'rsa'
      ? [oid('1.2.840.113549.1.1.11'), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]
      : [oid('1.2.840.10045.4.3.2')];
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, parts);
}

/** A key identifier: SHA-1 over the SubjectPublicKeyInfo (RFC 7093 allows such methods). */
function keyId(key: KeyPair): string {
  return createHash('sha1').update(key.spki).digest().toString('binary');
}

/** Authority Information Access (RFC 5280 §4.2.2.1): OCSP and caIssuers URLs. */
function authorityInfoAccess(base: string) {
  const access = (oid: string, url: string) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, url),
    ]);
  return {
    id: '1.3.6.1.5.5.7.1.1',
    value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      access('1.3.6.1.5.5.7.48.1', `${base}/ocsp`),
      access('1.3.6.1.5.5.7.48.2', `${base}/intermediate.crt`),
    ]),
  };
}

interface CertSpec {
  cn: string;
  subjectKey: KeyPair;
  issuer: { cn: string; key: KeyPair };
  ca: boolean;
  sans?: string[];
  /** A client certificate (extKeyUsage clientAuth) instead of a server's (serverAuth). */
  client?: boolean;
  notBefore?: Date;
  notAfter?: Date;
  urls?: string;
}

let serial = 0x1000;

// forge wants an RSA public key object while it lays out the TBSCertificate; the real
// SubjectPublicKeyInfo replaces it before signing.
const PLACEHOLDER = pki.setRsaPublicKey(
  new forge.jsbn.BigInteger('3'),
  new forge.jsbn.BigInteger('3'),
);

function makeCert(spec: CertSpec): string {
  const cert = pki.createCertificate();
  cert.publicKey = PLACEHOLDER;
  serial += 1;
  cert.serialNumber = `01${serial.toString(16)}`;
  const now = Date.now();
  cert.validity.notBefore = spec.notBefore ?? new Date(now - DAY);
  cert.validity.notAfter = spec.notAfter ?? new Date(now + (spec.ca ? 3650 : 90) * DAY);
  cert.setSubject([{ name: 'commonName', value: spec.cn }]);
  cert.setIssuer([{ name: 'commonName', value: spec.issuer.cn }]);
  const ski = asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.OCTETSTRING,
    false,
    keyId(spec.subjectKey),
  );
  const extensions: object[] = [
    { name: 'basicConstraints', cA: spec.ca, critical: true },
    spec.ca
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier', value: ski },
    { name: 'authorityKeyIdentifier', keyIdentifier: keyId(spec.issuer.key) },
  ];
  if (!spec.ca) {
    extensions.push({
      name: 'extKeyUsage',
      ...(spec.client ? { clientAuth: true } : { serverAuth: true }),
    });
  }
  if (spec.sans) {
    extensions.push({
      name: 'subjectAltName',
      altNames: spec.sans.map((value) => ({ type: 2, value })),
    });
  }
  if (spec.urls) {
    extensions.push(authorityInfoAccess(spec.urls), {
      name: 'cRLDistributionPoints',
      altNames: [{ type: 6, value: `${spec.urls}/crl` }],
    });
  }
  cert.setExtensions(extensions);
  // Laid out with a placeholder algorithm, then replaced (forge has no ECDSA OIDs to sign with).
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption as string;
  const tbs = (
    pki as unknown as { getTBSCertificate(c: unknown): forge.asn1.Asn1 }
  ).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  fields[2] = algorithmIdentifier(spec.issuer.key); // signature (RFC 5280 §4.1.2.3)
  fields[6] = fromDer(spec.subjectKey.spki); // subjectPublicKeyInfo (§4.1.2.7)
  return signedPem('CERTIFICATE', tbs, spec.issuer.key);
}

/** SEQUENCE { tbs, signatureAlgorithm, signature } (RFC 5280 §4.1 and §5.1), as PEM. */
function signedPem(label: string, tbs: forge.asn1.Asn1, key: KeyPair): string {
  const signature = sign('sha256', der(tbs), key.node);
  const whole = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithmIdentifier(key),
    asn1.create(
      asn1.Class.UNIVERSAL,
      asn1.Type.BITSTRING,
      false,
      `\0${signature.toString('binary')}`,
    ),
  ]);
  const lines =
    der(whole)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A CRL (RFC 5280 §5.1, v1: no extensions) from `issuer` listing the given certificates. */
function makeCrl(issuer: { cn: string; key: KeyPair }, revoked: string[]): string {
  const time = (d: Date) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d));
  const name = pki.createCertificate();
  name.setSubject([{ name: 'commonName', value: issuer.cn }]);
  const now = Date.now();
  const entries = revoked.map((pem) =>
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(
        asn1.Class.UNIVERSAL,
        asn1.Type.INTEGER,
        false,
        Buffer.from(new X509Certificate(pem).serialNumber, 'hex').toString('binary'),
      ),
      time(new Date(now - DAY)),
    ]),
  );
  const tbs = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    algorithmIdentifier(issuer.key),
    pki.distinguishedNameToAsn1(name.subject),
    time(new Date(now - DAY)),
    time(new Date(now + 7 * DAY)),
    ...(entries.length
      ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, entries)]
      : []),
  ]);
  return signedPem('X509 CRL', tbs, issuer.key);
}

/**
 * Builds every certificate the demo needs. `revocationBase` (e.g. http://127.0.0.1:PORT) is
 * written into the AIA and CRL extensions of the intermediate and the leaves.
 */
export async function buildPki(revocationBase: string): Promise<Pki> {
  const t0 = performance.now();
  // Every key is EC P-256 (generated in well under a millisecond); the leaves share one key, which
  // is harmless here: the certificates differ (names, serials, validity). An EC key can only sign,
  // which step `handshake` uses to show that no TLS 1.3 handshake encrypts to the certificate key.
  const [rootKey, interKey, leafKey, rogueKey] = await Promise.all([
    newKey('ec'),
    newKey('ec'),
    newKey('ec'),
    newKey('ec'),
  ]);
  const t1 = performance.now();
  const root = { cn: 'Demo Root CA', key: rootKey };
  const inter = { cn: 'Demo Intermediate CA', key: interKey };
  const rogueRoot = { cn: 'Unknown Root CA', key: rogueKey };
  const rootPem = makeCert({ cn: root.cn, subjectKey: rootKey, issuer: root, ca: true });
  const intermediatePem = makeCert({
    cn: inter.cn,
    subjectKey: interKey,
    issuer: root,
    ca: true,
    urls: revocationBase,
  });
  const rogueRootPem = makeCert({
    cn: rogueRoot.cn,
    subjectKey: rogueKey,
    issuer: rogueRoot,
    ca: true,
  });
  const leaf = (label: string, cn: string, extra: Partial<CertSpec> = {}): Issued => ({
    label,
    certPem: makeCert({
      cn,
      subjectKey: leafKey,
      issuer: inter,
      ca: false,
      sans: [cn],
      urls: revocationBase,
      ...extra,
    }),
    keyPem: leafKey.pem,
    chainPem: [intermediatePem],
  });
  const now = Date.now();
  const alpha = leaf('alpha.test leaf', 'alpha.test');
  const revoked = leaf('revoked leaf', 'revoked.test');
  const result: Pki = {
    rootPem,
    intermediatePem,
    rogueRootPem,
    alpha,
    beta: leaf('beta.test leaf', 'beta.test'),
    fallback: leaf('default leaf (no SNI)', 'default.test'),
    expired: leaf('expired leaf', 'expired.test', {
      notBefore: new Date(now - 60 * DAY),
      notAfter: new Date(now - 30 * DAY),
    }),
    notYetValid: leaf('not-yet-valid leaf', 'future.test', {
      notBefore: new Date(now + 30 * DAY),
      notAfter: new Date(now + 60 * DAY),
    }),
    selfSigned: {
      label: 'self-signed leaf',
      certPem: makeCert({
        cn: 'self-signed.test',
        subjectKey: leafKey,
        issuer: { cn: 'self-signed.test', key: leafKey },
        ca: false,
        sans: ['self-signed.test'],
      }),
      keyPem: leafKey.pem,
      chainPem: [],
    },
    rogue: {
      label: 'leaf from an unknown CA',
      certPem: makeCert({
        cn: 'rogue.test',
        subjectKey: leafKey,
        issuer: rogueRoot,
        ca: false,
        sans: ['rogue.test'],
      }),
      keyPem: leafKey.pem,
      chainPem: [rogueRootPem],
    },
    incomplete: { ...alpha, label: 'alpha.test leaf without its intermediate', chainPem: [] },
    revoked,
    client: leaf('client certificate', 'service-a', { sans: undefined, client: true }),
    rogueClient: {
      label: 'client certificate from an unknown CA',
      certPem: makeCert({
        cn: 'service-b',
        subjectKey: leafKey,
        issuer: rogueRoot,
        ca: false,
        client: true,
      }),
      keyPem: leafKey.pem,
      chainPem: [rogueRootPem],
    },
    crls: [makeCrl(root, []), makeCrl(inter, [revoked.certPem])],
    revocationBase,
    ms: { keys: 0, certs: 0 },
  };
  result.ms = { keys: t1 - t0, certs: performance.now() - t1 };
  return result;
}

/** The PEM a server passes as `cert`: the leaf followed by its chain. */
export function fullChain(issued: Issued): string {
  return [issued.certPem, ...issued.chainPem].join('');
}

/** The DER bytes of a PEM certificate (to look for it in captured traffic). */
export function derOf(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}
