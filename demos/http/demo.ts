// HTTP methods, status codes and versions, shown on the wire against real servers: the local
// httpbin (node:http), nginx as a gateway, and node:http2 over TLS and cleartext.

import { defineDemo } from '../kit/define.ts';
import type { Env } from './env.ts';
import { selfSignedCert } from './h2.ts';
import { startHttpbin } from './httpbin.ts';
import { gatewaySteps } from './steps-gateway.ts';
import { headerSteps } from './steps-headers.ts';
import { methodSteps } from './steps-methods.ts';
import { statusSteps } from './steps-status.ts';
import { versionSteps } from './steps-versions.ts';

export const demo = defineDemo<Env>({
  id: 'http',
  title: 'HTTP: methods, status codes and versions',
  summary:
    'Every exchange is real and shown as the bytes that crossed the socket: a local httpbin, ' +
    'nginx in front of broken upstreams, and HTTP/2 over TLS and over plain TCP.',
  needs: [],
  setup: async () => ({ bin: await startHttpbin(), cert: selfSignedCert() }),
  steps: [...methodSteps, ...statusSteps, ...gatewaySteps, ...versionSteps, ...headerSteps],
  teardown: async ({ bin }) => {
    await bin.close();
  },
});
