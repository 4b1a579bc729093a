// OpenSSL's command-line tools as an independent second implementation: `s_client -brief` as a
// client, `s_server` as a server. Files they need live in a temp dir removed by its owner.

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../kit/net.ts';

const TIMEOUT_MS = 10_000;

export interface TempDir {
  path: string;
  write(name: string, content: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const path = mkdtempSync(join(tmpdir(), 'wirenotes-tls-'));
  return {
    path,
    write: (name, content) => {
      const file = join(path, name);
      writeFileSync(file, content, { mode: 0o600 });
      return file;
    },
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs openssl with stdin closed (s_client then says goodbye after the handshake). */
function openssl(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill(), TIMEOUT_MS);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end();
  });
}

/** `s_client -brief` prints "Key: value" lines on stderr; this returns them as a map. */
function parseBrief(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z ]+?): (.*)$/.exec(line.trim());
    if (m) fields.set(m[1] as string, (m[2] as string).trim());
  }
  return fields;
}

interface SClientOptions {
  port: number;
  host?: string;
  servername?: string;
  verifyHostname?: string;
  caFile?: string;
  alpn?: string;
  tls12?: boolean;
}

function sClientArgs(o: SClientOptions): string[] {
  const args = ['s_client', '-brief', '-connect', `${o.host ?? '127.0.0.1'}:${o.port}`];
  if (o.servername) args.push('-servername', o.servername);
  else args.push('-noservername');
  if (o.verifyHostname) args.push('-verify_hostname', o.verifyHostname);
  if (o.caFile) args.push('-CAfile', o.caFile);
  if (o.alpn) args.push('-alpn', o.alpn);
  if (o.tls12) args.push('-tls1_2');
  return args;
}

export async function sClient(o: SClientOptions): Promise<Map<string, string> & { run?: Run }> {
  const run = await openssl(sClientArgs(o));
  const fields = parseBrief(run.stderr) as Map<string, string> & { run?: Run };
  fields.run = run;
  return fields;
}

export interface SServer {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `openssl s_server` and resolves once it prints ACCEPT (it is then listening). */
export async function startSServer(files: {
  cert: string;
  key: string;
  chain?: string;
  extra?: string[];
}): Promise<SServer> {
  const port = await freePort();
  const args = ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', files.cert, '-key', files.key];
  if (files.chain) args.push('-cert_chain', files.chain);
  args.push(...(files.extra ?? []));
  const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const closed = once(child, 'close');
    child.kill();
    await closed;
  };
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`openssl s_server did not start within ${TIMEOUT_MS} ms: ${out}`));
    }, TIMEOUT_MS);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('ACCEPT')) {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.stdout.resume();
        child.stderr.resume();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // 'close', not 'exit': the error it printed is complete only once its streams closed.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl s_server exited ${code}: ${out.trim()}`));
    });
  });
  return { port, child, stop };
}

/** A binary's version as it reports itself (`openssl version`, `nginx -V`); undefined if absent. */
export function reportedVersion(argv: string[], pattern: RegExp): Promise<string | undefined> {
  const [cmd, ...args] = argv as [string, ...string[]];
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: TIMEOUT_MS }, (_err, stdout, stderr) => {
      resolve(pattern.exec(`${stdout}${stderr}`)?.[1]);
    });
  });
}
