// Facts that depend on the version of a part (OpenSSL's default key share, MariaDB's variable
// names). One record per fact: the step asks it for the value the running stack must show and
// asserts exactly that; the note's "What depends on the version" table is rendered from it.

export interface VersionCase {
  /** The versions this case covers, as a reader says it: "OpenSSL 3.0", "OpenSSL ≥ 3.5". */
  when: string;
  /** Whether the running part's version falls in this case. */
  applies: (version: string) => boolean;
  /** The value measured on those versions. */
  value: string;
  /** The versions it was measured on ("Node 20.20.2 (OpenSSL 3.0.19)"). */
  seen: string;
}

export interface VersionFact {
  id: string;
  /** The fact, as a table row names it: "default TLS 1.3 key share". */
  fact: string;
  /** The part whose version decides it: "node openssl", "mariadb". */
  part: string;
  cases: VersionCase[];
}

/** The case for the running version; throws when no measurement covers it (a new version). */
export function expectedFor(fact: VersionFact, version: string): VersionCase {
  const c = fact.cases.find((x) => x.applies(version));
  if (!c) {
    throw new Error(
      `${fact.fact}: no recorded value for ${fact.part} ${version}; measure it and add a case`,
    );
  }
  return c;
}

/** Compares dotted versions numerically: atLeast('3.5.9', '3.5') is true. */
export function atLeast(version: string, min: string): boolean {
  const a = version.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const b = min.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < b.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/**
 * The note's "What depends on the version" table, one row per case. The note holds it between
 * `<!-- versions -->` markers; the notes test keeps them equal.
 */
export function renderVersionTable(facts: VersionFact[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const rows = facts.flatMap((f) =>
    f.cases.map(
      (c) => `| ${cell(f.fact)} | ${cell(c.when)} | ${cell(c.value)} | ${cell(c.seen)} |`,
    ),
  );
  return ['| fact | when | value | measured on |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
