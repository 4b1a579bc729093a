// TEMPORARY development adapter until demos/kit/sandbox.ts lands: one network namespace with
// only `lo`, commands and servers inside it, and files under /etc/netns/<ns>/.

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Lab {
  ns: string;
  run(command: string, args: string[], input?: string): Promise<Ran>;
  start(command: string, args: string[]): void;
  etc(file: string, text: string): void;
  close(): Promise<void>;
}

function exec(command: string, args: string[], input = ''): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

export async function openLab(ns: string): Promise<Lab> {
  await exec('ip', ['netns', 'add', ns]);
  await exec('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  const etcDir = join('/etc/netns', ns);
  mkdirSync(etcDir, { recursive: true });
  return {
    ns,
    run: (command, args, input) => exec('ip', ['netns', 'exec', ns, command, ...args], input),
    start: (command, args) => {
      spawn('ip', ['netns', 'exec', ns, command, ...args], { stdio: 'ignore', detached: true });
    },
    etc: (file, text) => writeFileSync(join(etcDir, file), text),
    close: async () => {
      const pids = await exec('ip', ['netns', 'pids', ns]);
      for (const p of pids.stdout.split('\n').filter(Boolean)) process.kill(Number(p), 'SIGKILL');
      await exec('ip', ['netns', 'delete', ns]);
      rmSync(etcDir, { recursive: true, force: true });
    },
  };
}
