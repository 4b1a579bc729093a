// HTTP methods, status codes and versions, shown on the wire against real servers: the local
// httpbin (node:http), nginx as a gateway, and node:http2 over TLS and cleartext.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { errorLogStep, gatewayStep } from './steps-gateway.ts';
import { clientHeadersStep } from './steps-headers.ts';
import { optionsStep, safeStep } from './steps-methods.ts';
import {
  clientErrorStep,
  informationalStep,
  serverErrorStep,
  successStep,
} from './steps-status.ts';
import {
  framingStep,
  h2TlsMinimumStep,
  http2Step,
  http3Step,
  http10Step,
  http11Step,
  serverPushStep,
} from './steps-versions.ts';
import { versions } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'http',
  title: 'HTTP: methods, status codes and versions',
  summary:
    'Every exchange is real and shown as the bytes that crossed the socket: a local httpbin, ' +
    'nginx in front of broken upstreams, and HTTP/2 over TLS and over plain TCP.',
  needs: [],
  setup: openEnv,
  steps: [
    safeStep,
    optionsStep,
    informationalStep,
    successStep,
    clientErrorStep,
    serverErrorStep,
    gatewayStep,
    errorLogStep,
    http10Step,
    http11Step,
    http2Step,
    h2TlsMinimumStep,
    framingStep,
    serverPushStep,
    http3Step,
    clientHeadersStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
