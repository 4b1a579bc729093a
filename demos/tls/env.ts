// What the steps share: the PKI, the SNI server, the watched AIA/CRL/OCSP listener and the temp
// dir openssl reads its files from. Built by the demo's setup, torn down by its teardown.

import type { SetupInfo } from '../kit/define.ts';
import { reportedVersion, type TempDir, tempDir } from './openssl.ts';
import { buildPki, type Pki } from './pki.ts';
import { type SniServer, startSniServer, startWatchedListener } from './servers.ts';

export interface Env {
  pki: Pki;
  sni: SniServer;
  watch: Awaited<ReturnType<typeof startWatchedListener>>;
  tmp: TempDir;
  /** The private root CA as a file, for openssl -CAfile and probe --ca. */
  caFile: string;
  /** The openssl binary's version ("3.0.19"): its s_client words the group its own way. */
  opensslBinary: string;
}

export async function openEnv(info: SetupInfo): Promise<Env> {
  const opensslBinary = (await reportedVersion(['openssl', 'version'], /OpenSSL (\S+)/)) ?? '?';
  info.uses('openssl (binary)', opensslBinary);
  const watch = await startWatchedListener();
  const pki = await buildPki(watch.url);
  const sni = await startSniServer(pki);
  const tmp = tempDir();
  const caFile = tmp.write('root-ca.pem', pki.rootPem);
  return { pki, sni, watch, tmp, caFile, opensslBinary };
}

export async function closeEnv(env: Env): Promise<void> {
  await env.sni.close();
  await env.watch.close();
  env.tmp.remove();
}
