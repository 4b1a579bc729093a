// TLS handshake and SNI, shown live: a private PKI built at run time, one SNI server, raw
// ClientHello bytes, TLS 1.3 vs 1.2, local trust, the failure catalogue, undici, openssl, nginx.

import { defineDemo } from '../kit/define.ts';
import { closeEnv, type Env, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { handshakeStep } from './steps-flights.ts';
import { clientHelloStep, sniStep } from './steps-handshake.ts';
import { httpsStep, nginxStep, opensslStep, setupStep } from './steps-interop.ts';
import { hrrStep, keyShareStep } from './steps-keyshare.ts';
import { failuresStep, hostnameStep, mtlsStep, trustStep } from './steps-trust.ts';
import { versions } from './versions.ts';

export const demo = defineDemo<Env>({
  id: 'tls',
  title: 'TLS handshake and SNI',
  summary:
    'A private CA, an intermediate and leaves for alpha.test and beta.test are built in memory; ' +
    'one server picks certificates by SNI, and every fact is read off real handshakes.',
  needs: ['openssl'],
  setup: openEnv,
  steps: [
    sniStep,
    clientHelloStep,
    handshakeStep,
    keyShareStep,
    hrrStep,
    trustStep,
    hostnameStep,
    mtlsStep,
    failuresStep,
    httpsStep,
    opensslStep,
    nginxStep,
    setupStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
