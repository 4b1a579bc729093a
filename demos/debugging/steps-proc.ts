// /proc/<pid> as the source of truth: what ps, lsof and top read, straight from the kernel. A
// process holding a file that has been deleted, and one that runs out of file descriptors.

import {
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { step } from '../kit/define.ts';
import { type Env, shipped, startTarget } from './env.ts';
import { limit, statusField } from './proc.ts';
import { lines } from './tools.ts';

export const procStep = step<Env>(
  {
    id: 'proc',
    section: 'proc-the-source-of-truth',
    title: '/proc/<pid>: status, cwd, exe, fd/ (a deleted file still open), limits and EMFILE',
    needs: ['lsof'],
  },
  async (t, env) => {
    const dir = join(env.dir, 'proc-wd');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'app.log');
    writeFileSync(file, 'line 1 of a log someone deleted\n');
    const { p, m } = await startTarget(env, ['hold', file], /holding (\d+)/, dir);
    const fd = Number(m[1]);
    unlinkSync(file);
    const pid = p.pid;
    const fields = ['Name', 'State', 'PPid', 'Threads', 'VmRSS'].map((f) => [
      f,
      statusField(pid, f) ?? '',
    ]);
    t.table(['/proc/<pid>/status', 'value'], fields);
    t.check(
      "Threads counts every task of the process (Node: the main thread, libuv's pool, V8's helpers)",
      Number(statusField(pid, 'Threads')) > 1,
      statusField(pid, 'Threads'),
    );
    t.equal('cwd is a link to the directory it runs in', readlinkSync(`/proc/${pid}/cwd`), dir);
    t.equal(
      'exe is a link to the binary it runs',
      readlinkSync(`/proc/${pid}/exe`),
      realpathSync(process.execPath),
    );
    const link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    t.show(`/proc/<pid>/fd/${fd}`, link.replace(env.dir, '<run dir>'));
    t.equal('fd/ still lists the deleted file, marked (deleted)', link, `${file} (deleted)`);
    t.equal(
      'and the data is still readable through /proc/<pid>/fd/N: the inode lives while a process holds it',
      readFileSync(`/proc/${pid}/fd/${fd}`, 'utf8'),
      'line 1 of a log someone deleted\n',
    );
    const anded = await env.sandbox.run('lsof', ['-a', '+L1', '-p', String(pid), '-Fn']);
    const ored = await env.sandbox.run('lsof', ['+L1', '-p', String(pid), '-Fn']);
    const names = (out: string) =>
      lines(out)
        .filter((l) => l.startsWith('n'))
        .map((l) => l.slice(1));
    t.block([
      '$ lsof -a +L1 -p <pid>   (link count < 1, AND this pid)',
      ...names(anded.stdout).map((n) => n.replace(env.dir, '<run dir>')),
    ]);
    t.equal(
      'lsof -a +L1 -p <pid> lists exactly that file: open, with no name left on disk',
      names(anded.stdout),
      [`${file} (deleted)`],
    );
    t.check(
      "without -a lsof ORs the selections: the list also has the process's cwd, which is not deleted",
      names(ored.stdout).includes(dir),
      names(ored.stdout).slice(0, 5).join(' | '),
    );

    const nofile = limit(pid, 'Max open files');
    t.show('Max open files (soft, hard) of the holder', nofile);
    const cap = 64;
    const r = await env.sandbox.run('prlimit', [
      `--nofile=${cap}:${cap}`,
      '--',
      process.execPath,
      shipped('target.mjs'),
      'fds',
    ]);
    const [, last, code] = /last (\d+) (\w+)/.exec(r.stdout) ?? [];
    t.show(`prlimit --nofile=${cap}:${cap} node target.mjs fds`, r.stdout.trim());
    t.equal(
      `at the nofile limit open() fails with EMFILE: with ${cap}, the last fd it got is ${cap - 1}`,
      [Number(last), code],
      [cap - 1, 'EMFILE'],
    );
    t.say(
      '/proc/<pid>/environ is the environment the process was started with, not its current one: ' +
        'the containers topic shows that (notes/containers.md).',
    );
  },
);
