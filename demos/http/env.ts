// What the steps share: the httpbin every HTTP/1.x step talks to, and a throwaway certificate.

import { type Credentials, selfSignedCert } from '../kit/cert.ts';
import type { SetupInfo } from '../kit/define.ts';
import { type Httpbin, startHttpbin } from './httpbin.ts';

export interface Env {
  bin: Httpbin;
  cert: Credentials;
}

export async function openEnv(_info: SetupInfo): Promise<Env> {
  return { bin: await startHttpbin(), cert: selfSignedCert() };
}

export async function closeEnv(env: Env): Promise<void> {
  await env.bin.close();
}
