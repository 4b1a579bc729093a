// Disk problems df explains only if you ask it the right question: no inodes left while space
// is free; space used by a file nobody can see; a mount held by a process.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { step } from '../kit/define.ts';
import { df, ext4, fillInodes } from './disk.ts';
import { type Env, startTarget } from './env.ts';
import { lsofPids } from './sockets.ts';
import { lines } from './tools.ts';

export const inodesStep = step<Env>(
  {
    id: 'inodes',
    section: 'disk-full-with-free-space-inodes',
    title: 'A filesystem out of inodes: ENOSPC while df -h shows free space',
    needs: ['loop-devices'],
  },
  async (t, env) => {
    const { device, mount } = await ext4(env, 'inodes', 16 << 20, ['-N', '64']);
    const before = await df(mount, true);
    const lsblk = await env.sandbox.run('lsblk', ['-rno', 'NAME,SIZE,MOUNTPOINT', device]);
    t.block([
      `$ lsblk ${device}`,
      ...lines(lsblk.stdout).map((l) => l.replace(env.sandbox.dir, '<sandbox>')),
    ]);
    t.check(
      'lsblk lists the loop device with where it is mounted',
      lsblk.stdout.includes(mount),
      lsblk.stdout,
    );
    t.show(
      'df -i before',
      `${before.total} inodes, ${before.used} used, ${before.free} free (inodes 1-10 are reserved, 11 is lost+found)`,
    );
    const { created, code } = fillInodes(mount);
    const space = await df(mount);
    const inodes = await df(mount, true);
    t.table(
      ['after', 'total', 'used', 'free', 'use%'],
      [
        ['df -k (1 KiB blocks)', space.total, space.used, space.free, `${space.percent}%`],
        ['df -i (inodes)', inodes.total, inodes.used, inodes.free, `${inodes.percent}%`],
      ],
    );
    t.equal(
      `creating files fails with ENOSPC after exactly the ${before.free} free inodes`,
      [created, code],
      [before.free, 'ENOSPC'],
    );
    t.equal('df -i shows the inode table 100 % used', inodes.percent, 100);
    t.check('while df -h shows most of the space free', space.percent < 50, `${space.percent}%`);
    appendFileSync(join(mount, 'f0'), Buffer.alloc(1 << 20));
    const grown = await df(mount);
    t.check(
      'writing into an existing file still works: it needs blocks, not a new inode',
      grown.used - space.used >= 1024,
      `${grown.used - space.used} KiB more used`,
    );
  },
);

export const heldSpaceStep = step<Env>(
  {
    id: 'held-space',
    section: 'who-holds-this-file-or-mount',
    title:
      'A deleted file held open: df counts it, du cannot; umount is busy; lsof names the holder',
    needs: ['loop-devices', 'lsof'],
  },
  async (t, env) => {
    const { device, file: backing, mount } = await ext4(env, 'held', 32 << 20);
    const log = join(mount, 'app.log');
    const mib = 4;
    writeFileSync(log, Buffer.alloc(mib << 20, 'x'));
    const { p: holder } = await startTarget(env, ['hold', log], /holding/, mount);
    const withFile = await df(mount);
    await env.sandbox.run('rm', [log]);
    const deleted = await df(mount);
    const du = Number((await env.sandbox.run('du', ['-sk', mount])).stdout.split(/\s/)[0]);
    t.table(
      ['', 'df used (KiB)', 'du (KiB)'],
      [
        [`a ${mib} MiB log, held open`, withFile.used, '-'],
        ['rm app.log (still held)', deleted.used, du],
      ],
    );
    t.equal(
      "rm frees nothing while a process holds the file: df's used count is unchanged",
      deleted.used,
      withFile.used,
    );
    t.check(
      `du, which adds up the files it can find, misses the ${mib} MiB df still counts`,
      deleted.used - du >= mib * 1024,
      `df ${deleted.used} KiB, du ${du} KiB`,
    );
    const l1 = await env.sandbox.run('lsof', ['-nP', '-a', '+L1', mount]);
    t.block([
      '$ lsof -a +L1 <mount>',
      ...lines(l1.stdout).map((l) => l.replace(env.sandbox.dir, '<sandbox>')),
    ]);
    t.check(
      'lsof -a +L1 <mount> lists the holder of the deleted file (link count 0)',
      lsofPids((await env.sandbox.run('lsof', ['-nP', '+L1', '-Fp', mount])).stdout).includes(
        holder.pid,
      ),
      l1.stdout,
    );

    const umount = await env.sandbox.run('umount', [mount]);
    t.show('umount <mount>', umount.stderr.trim().replace(env.sandbox.dir, '<sandbox>'));
    t.equal(
      'umount refuses while a process uses the filesystem: "target is busy", exit 32',
      umount.code,
      32,
    );
    const users = lsofPids((await env.sandbox.run('lsof', ['-nP', '-Fp', mount])).stdout);
    t.check(
      'lsof <mount> names the process that holds it (its cwd and the open file)',
      users.includes(holder.pid),
      String(users),
    );
    const onBacking = await env.sandbox.run('lsof', ['-nP', backing]);
    const losetup = await env.sandbox.run('losetup', ['-nO', 'BACK-FILE', device]);
    t.check(
      "but lsof shows no process on the loop device's backing file: the kernel holds it, losetup names it",
      onBacking.stdout.trim() === '' && losetup.stdout.trim() === backing,
      `lsof: ${onBacking.stdout.trim() || '(nothing)'}; losetup: ${losetup.stdout.trim()}`,
    );

    holder.kill();
    await holder.gone;
    const freed = await df(mount);
    t.check(
      `once the holder exits the ${mib} MiB are freed`,
      deleted.used - freed.used >= mib * 1024,
      `df used ${deleted.used} → ${freed.used} KiB`,
    );
    t.equal('and umount succeeds', (await env.sandbox.run('umount', [mount])).code, 0);
  },
);
