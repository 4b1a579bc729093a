// What the steps share: the PKI, the SNI server, the watched AIA/CRL/OCSP listener and the temp
// dir openssl reads its files from. Built by the demo's setup, torn down by its teardown.

import { X509Certificate } from 'node:crypto';
import { type TempDir, tempDir } from './openssl.ts';
import { buildPki, type Pki } from './pki.ts';
import { type SniServer, startSniServer, startWatchedListener } from './servers.ts';

export interface Env {
  pki: Pki;
  sni: SniServer;
  watch: Awaited<ReturnType<typeof startWatchedListener>>;
  tmp: TempDir;
  /** The private root CA as a file, for openssl -CAfile and probe --ca. */
  caFile: string;
}

export async function setupEnv(): Promise<Env> {
  const watch = await startWatchedListener();
  const pki = await buildPki(watch.url);
  const sni = await startSniServer(pki);
  const tmp = tempDir();
  const caFile = tmp.write('root-ca.pem', pki.rootPem);
  return { pki, sni, watch, tmp, caFile };
}

export async function teardownEnv(env: Env): Promise<void> {
  await env.sni.close();
  await env.watch.close();
  env.tmp.remove();
}

/** The DER bytes of a PEM certificate (to look for it in captured traffic). */
export function derOf(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

/** Every claim that a handshake failed reads the code off the error Node gave. */
export function codeOf(err: unknown): string {
  return String((err as { code?: unknown })?.code ?? (err as Error)?.message ?? err);
}
