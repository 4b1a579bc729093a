// A container by hand: an image that is a folder of the host's own binaries, then one command per
// part of what `docker run` does: namespaces (unshare), a new root (pivot_root), /proc for the new
// PID namespace, a hostname, and a cgroup with limits. Inside, the host's processes, files and
// network are gone, and the cgroup it sits in looks like the root, with its limit.

import { readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { step } from '../kit/define.ts';
import { ROOT } from '../kit/paths.ts';
import { expectedFor } from '../kit/versions.ts';
import { cgroupVersionOf, type Env, sandboxFor } from './env.ts';
import { buildRootfs } from './rootfs.ts';
import { memoryFiles } from './versions.ts';

const LIMIT = 256 << 20;

/** What runs inside, after pivot_root: every command comes from the new root's /bin. */
function insideScript(version: string, limitFile: string): string {
  const cgroupFs =
    version === '1' ? 'mount -t cgroup -o memory cgroup /mnt' : 'mount -t cgroup2 cgroup2 /mnt';
  return [
    'mount -t proc proc /proc',
    'umount -l /.old',
    'hostname wn-box',
    'echo "== hostname"; hostname',
    'echo "== ps"; ps -e -o pid=,comm=',
    'echo "== ls"; ls /',
    `echo "== host path"; ls "${ROOT}" 2>&1`,
    'echo "== links"; ip -o link',
    'echo "== cgroup"; cat /proc/self/cgroup',
    `${cgroupFs}; echo "== limit"; cat /mnt/${limitFile}`,
  ].join('\n');
}

/** The output's `== name` sections. */
function sections(out: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of out.split('\n')) {
    const m = /^== (.+)$/.exec(line);
    if (m) {
      current = [];
      map.set(m[1] as string, current);
    } else if (line.trim()) current.push(line.trim());
  }
  return map;
}

export const byHandStep = step<Env>(
  {
    id: 'by-hand',
    section: 'a-container-by-hand',
    title: 'A container by hand: unshare, pivot_root, /proc, a hostname and a cgroup',
    needs: ['namespaces', 'cgroup-memory'],
  },
  async (t, env) => {
    const sb = sandboxFor(t, env);
    const image = await buildRootfs(sb.path('rootfs'));
    for (const d of ['mnt']) sb.path('rootfs', d);
    t.say(
      `image: ${image.files} files, ${(image.bytes / (1 << 20)).toFixed(1)} MiB copied from the host (binaries + ldd's libraries)`,
    );
    const version = cgroupVersionOf('memory');
    const limitFile = expectedFor(memoryFiles, `v${version}`).value.split(';')[0] as string;
    const cgroup = await sb.cgroup(['memory']);
    await cgroup.limitMemory(LIMIT);
    const enter = 'mount --bind "$1" "$1" && cd "$1" && pivot_root . .old && exec /bin/sh -c "$2"';
    const parts = [
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--pid',
      '--fork',
      '--cgroup',
      '--kill-child',
    ];
    t.table(
      ['part', 'by hand', 'docker run'],
      [
        ['image', 'cp binaries + `ldd` libraries into a folder', 'pull and unpack the layers'],
        ['cgroup', `mkdir ${cgroup.folders()[0]}; echo ${LIMIT} > ${limitFile}`, '--memory 256m'],
        ['namespaces', `unshare ${parts.join(' ')}`, 'runc: clone(CLONE_NEW*)'],
        ['root', 'mount --bind R R; cd R; pivot_root . .old; umount -l /.old', 'runc: pivot_root'],
        ['/proc', 'mount -t proc proc /proc', 'runc: the mounts of config.json'],
        ['hostname', 'hostname wn-box', '--hostname'],
      ],
    );
    const r = await sb.run(
      'unshare',
      [...parts, 'sh', '-c', enter, 'enter', image.dir, insideScript(version, limitFile)],
      { cgroup },
    );
    const seen = sections(r.stdout);
    t.block(r.stdout.trimEnd().split('\n'));
    if (r.code !== 0) t.say(`exit ${r.code}: ${r.stderr.trim()}`);
    t.equal(
      'inside, the hostname is wn-box; the host keeps its own',
      [seen.get('hostname')?.[0], hostname()],
      ['wn-box', hostname()],
    );
    t.equal(
      'ps inside lists only the container: PID 1 is its shell, then ps',
      seen.get('ps')?.map((l) => l.split(/\s+/)[1]),
      ['sh', 'ps'],
    );
    t.check('PID 1 inside is the shell', seen.get('ps')?.[0]?.startsWith('1 ') === true);
    const imageTop = readdirSync(image.dir)
      .filter((n) => !n.startsWith('.'))
      .sort();
    t.equal("`ls /` inside lists the image's folders, not the host's", seen.get('ls'), imageTop);
    t.match(
      "the host's files are gone: the checkout folder does not exist inside",
      seen.get('host path')?.join(' ') ?? '',
      /No such file or directory/,
    );
    t.equal(
      'the network is its own: one interface, lo, DOWN',
      seen.get('links')?.map((l) => `${/^\d+: (\S+):/.exec(l)?.[1]} ${/state (\S+)/.exec(l)?.[1]}`),
      ['lo DOWN'],
    );
    const memoryLine = seen.get('cgroup')?.find((l) => /:memory:|^0::/.test(l)) ?? '';
    t.match('its cgroup namespace shows its own cgroup as the root: /', memoryLine, /:\/$/);
    t.equal(
      `the cgroup it sees as its root holds the limit set from outside: ${limitFile} = 256 MiB`,
      seen.get('limit')?.[0],
      String(LIMIT),
    );
  },
);
