// What the steps share: the httpbin every HTTP/1.x step talks to, and a throwaway certificate.

import type { Credentials } from './h2.ts';
import type { Httpbin } from './httpbin.ts';

export interface Env {
  bin: Httpbin;
  cert: Credentials;
}
