// The shape of one need in the registry (endpoints.ts SERVICES, with needs-system.ts): how it is
// probed, which packages provide it, what it comes after. A module of its own, so the records
// can live in files by concern without importing each other.

import type { Probed } from './probes.ts';
import type { Values, Vars } from './variables.ts';

/** Package names on other systems, where they differ from Debian's (the setup command prints them). */
interface OtherPackages {
  dnf?: string[];
  brew?: string[];
}

export interface ServiceRecord<V extends Vars> {
  /**
   * How to get it when `apt` does not say it all: the command that starts it, or the variable to
   * set. Without one, the hint is derived from `apt` (see hintFor).
   */
  hint?: string;
  /** Debian packages that provide it: `npm run setup` installs them (as root, with apt-get). */
  apt?: string[];
  /** The same packages on Fedora and macOS, where the names differ ([] where there is none). */
  other?: OtherPackages;
  /** Needs to be had first (the binaries a service runs): setup gets those before this one. */
  after?: string[];
  /** The environment variables that locate it, each validated. */
  env: V;
  /** Is it usable right now? Well under 5 s. */
  probe: (env: Values<V>) => Promise<Probed>;
}

/** Declares one record (keeps the env types for serviceEnv and probe). */
export function service<V extends Vars>(record: ServiceRecord<V>): ServiceRecord<V> {
  return record;
}
