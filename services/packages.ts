// System packages for the needs in demos/kit/endpoints.ts: which ones a set of missing needs
// calls for, the command that installs them on Debian/Ubuntu, Fedora and macOS, and the Debian
// install itself (root only), with apt's own progress on the terminal.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { needRecord, type ServiceName } from '../demos/kit/endpoints.ts';
import { onPath } from '../demos/kit/probes.ts';
import { ServiceError } from './proc.ts';

type System = 'debian' | 'fedora' | 'macos';

/** The needs `names` come after (the binaries a service runs), first, then the names themselves. */
export function withPrerequisites(names: ServiceName[]): ServiceName[] {
  const seen = new Set<ServiceName>();
  const visit = (n: ServiceName) => {
    if (seen.has(n)) return;
    for (const before of needRecord(n).after ?? []) visit(before as ServiceName);
    seen.add(n);
  };
  for (const n of names) visit(n);
  return [...seen];
}

/** The packages that provide `names` on one system (deduplicated, in order). */
function packagesFor(names: ServiceName[], system: System): string[] {
  const out = new Set<string>();
  for (const n of names) {
    const r = needRecord(n);
    const other =
      system === 'fedora' ? r.other?.dnf : system === 'macos' ? r.other?.brew : undefined;
    for (const p of other ?? r.apt ?? []) out.add(p);
  }
  return [...out];
}

/** One line per system: the command a user runs there (where the system has the packages). */
export function installCommands(names: ServiceName[]): string[] {
  const lines: string[] = [];
  const debian = packagesFor(names, 'debian');
  if (debian.length)
    lines.push(
      `  Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${debian.join(' ')}`,
    );
  const fedora = packagesFor(names, 'fedora');
  if (fedora.length) lines.push(`  Fedora:        sudo dnf install -y ${fedora.join(' ')}`);
  // Homebrew casks ('--cask chromium') go in a command of their own.
  const brew = packagesFor(names, 'macos');
  const casks = brew.filter((_, i) => brew[i - 1] === '--cask');
  const formulae = brew.filter((p) => p !== '--cask' && !casks.includes(p));
  if (formulae.length || casks.length)
    lines.push(
      `  macOS:         ${[
        formulae.length ? `brew install ${formulae.join(' ')}` : '',
        casks.length ? `brew install --cask ${casks.join(' ')}` : '',
      ]
        .filter(Boolean)
        .join(' && ')}`,
    );
  return lines;
}

/** Why this process cannot install Debian packages itself, or undefined when it can. */
export function cannotInstall(): string | undefined {
  if (process.platform !== 'linux' || !existsSync('/etc/debian_version') || !onPath('apt-get'))
    return 'this is not a Debian or Ubuntu system';
  if (process.getuid?.() !== 0) return 'installing packages needs root';
  return undefined;
}

function apt(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('apt-get', args, {
      // apt's own progress lines go straight to the user's terminal (or CI's log).
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    child.once('error', (err) => reject(new ServiceError(`apt-get: ${err.message}`)));
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new ServiceError(`\`apt-get ${args.join(' ')}\` exited ${code}`)),
    );
  });
}

/** apt-get update, then install the packages (root on Debian only: see cannotInstall). */
export async function aptInstall(packages: string[], report: (l: string) => void): Promise<void> {
  report(`apt-get update, then apt-get install ${packages.join(' ')}`);
  await apt(['update', '-q']);
  await apt(['install', '-y', '-q', '--no-install-recommends', ...packages]);
}
