// A packet capture of one port on loopback: tcpdump started and stopped the way a person would
// (wait for "listening on", Ctrl-C when done), and its file decoded by tcpdump and by tshark.

import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runCommand, type SandboxProc } from '../kit/sandbox.ts';
import type { Env } from './env.ts';
import { lines } from './tools.ts';

interface Capture {
  file: string;
  proc: SandboxProc;
  /** SIGINT, as Ctrl-C; resolves with the count tcpdump reports ("N packets captured"). */
  stop(): Promise<number>;
}

/**
 * Starts `tcpdump -i lo` on `port` only (other runs and services use loopback too), writing to a
 * file in the run's directory. `-Z root` keeps it from dropping to the `tcpdump` user, which
 * could not write there.
 */
export async function startCapture(env: Env, name: string, port: number, immediate: boolean) {
  const file = join(env.dir, `${name}.pcap`);
  const args = ['-i', 'lo', '-nn', '-U', '-Z', 'root', '-w', file];
  if (immediate) args.push('--immediate-mode');
  const proc = env.sandbox.start('tcpdump', [...args, `tcp port ${port}`]);
  await proc.waitFor(/listening on lo/);
  const stop = async () => {
    proc.kill('SIGINT');
    const { stderr } = await proc.exited;
    return Number(/(\d+) packets? captured/.exec(stderr)?.[1] ?? Number.NaN);
  };
  return { file, proc, stop } satisfies Capture;
}

/** tcpdump's own reading of a capture: one line per packet. */
export async function tcpdumpRead(file: string, ascii = false): Promise<string[]> {
  const r = await runCommand('tcpdump', ['-nn', ...(ascii ? ['-A'] : []), '-r', file]);
  return lines(r.stdout);
}

/**
 * Waits until tcpdump has written the packets `complete` looks for (it writes each one as it reads
 * it, -U): the last FIN can be on the wire a moment before tcpdump has read it. Bounded; resolves
 * with what the file holds either way.
 */
export async function capturedUntil(
  file: string,
  complete: (packets: string[]) => boolean,
  boundMs = 5000,
): Promise<string[]> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const packets = await tcpdumpRead(file);
    if (complete(packets) || Date.now() > deadline) return packets;
    await delay(100);
  }
}

/** tshark's field values for each HTTP message, the port pinned to the HTTP dissector. */
export async function tsharkHttp(file: string, port: number): Promise<string[][]> {
  const fields = ['http.request.method', 'http.request.uri', 'http.response.code'];
  const r = await runCommand('tshark', [
    '-r',
    file,
    '-d',
    `tcp.port==${port},http`,
    '-Y',
    'http',
    '-T',
    'fields',
    '-E',
    'separator=,',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return lines(r.stdout).map((l) => l.split(','));
}

/** tshark's one-line summary of every frame. */
export async function tsharkSummary(file: string, port: number): Promise<string[]> {
  const r = await runCommand('tshark', ['-r', file, '-d', `tcp.port==${port},http`]);
  return lines(r.stdout);
}
