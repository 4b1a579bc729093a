// The versions of the parts on this machine that demos use, as each binary and database server
// reports itself, for `npx tsx demos`. Each demo's own transcript names the servers it touched.

import { execFile } from 'node:child_process';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { serviceEnv } from './endpoints.ts';
import { baseStack, type Stack } from './run.ts';

const BINARIES: { part: string; argv: string[]; pattern: RegExp }[] = [
  { part: 'openssl (binary)', argv: ['openssl', 'version'], pattern: /OpenSSL (\S+)/ },
  { part: 'nginx', argv: ['nginx', '-v'], pattern: /nginx\/(\S+)/ },
  { part: 'haproxy', argv: ['haproxy', '-v'], pattern: /version (\S+)/ },
  { part: 'java', argv: ['java', '-version'], pattern: /version "([^"]+)"/ },
];

function versionOf(argv: string[], pattern: RegExp): Promise<string | undefined> {
  return new Promise((resolve) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    execFile(cmd, args, { timeout: 3000 }, (_err, stdout, stderr) => {
      resolve(pattern.exec(`${stdout}${stderr}`)?.[1]);
    });
  });
}

/** The database servers demos use, by the variable that locates each. */
const DATABASES = () => ({
  postgres: serviceEnv('postgres').PG_URL,
  mariadb: serviceEnv('mariadb').MARIADB_URL,
  postgres17: serviceEnv('postgres17').PG17_URL,
  mariadb114: serviceEnv('mariadb114').MARIADB114_URL,
  'replication primary': serviceEnv('replication').PG_PRIMARY_URL,
});

/** The server's own version string, or undefined when it does not answer within 1.5 s. */
async function serverVersion(url: string): Promise<string | undefined> {
  try {
    if (/^postgres(ql)?:/.test(url)) {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 });
      try {
        await client.connect();
        const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
        return rows[0]?.server_version;
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    const conn = await mysql.createConnection({ uri: url, connectTimeout: 1500 });
    try {
      const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v');
      return rows[0]?.v as string | undefined;
    } finally {
      await conn.end().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}

export async function machineStack(): Promise<Stack> {
  const stack = baseStack();
  const databases = Object.entries(DATABASES());
  const [binaries, servers] = await Promise.all([
    Promise.all(BINARIES.map((b) => versionOf(b.argv, b.pattern))),
    Promise.all(databases.map(([, url]) => serverVersion(url))),
  ]);
  BINARIES.forEach((b, i) => {
    const v = binaries[i];
    if (v) stack[b.part] = v;
  });
  databases.forEach(([name], i) => {
    const v = servers[i];
    if (v) stack[name] = v;
  });
  return stack;
}
