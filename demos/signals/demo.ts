import { defineDemo } from '../kit/define.ts';
import { closeEnv, openEnv } from './env.ts';
import { ledger } from './ledger.ts';
import { httpStep } from './steps-http.ts';
import { kubernetesStep } from './steps-kubernetes.ts';
import { nginxStep } from './steps-nginx.ts';
import { pid1Step, zombiesStep } from './steps-pid1.ts';
import { postgresStep } from './steps-postgres.ts';
import { defaultsStep, exitStatusStep, stopContStep } from './steps-signals.ts';
import { versions } from './versions.ts';

export const demo = defineDemo({
  id: 'signals',
  title: 'Signals, exit codes and graceful shutdown',
  summary:
    'Real processes on this machine get TERM, INT, HUP, QUIT, KILL and STOP: Node scripts, a PID ' +
    'namespace, Node HTTP servers, nginx and a throwaway PostgreSQL cluster.',
  needs: [],
  setup: openEnv,
  steps: [
    defaultsStep,
    stopContStep,
    exitStatusStep,
    pid1Step,
    zombiesStep,
    httpStep,
    nginxStep,
    postgresStep,
    kubernetesStep,
  ],
  teardown: closeEnv,
  ledger,
  versions,
});
