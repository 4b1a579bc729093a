// The parent side of crash-member.ts: start the member in its own process, follow what it reports
// (its assignment, the records it processed), and kill it with SIGKILL.

import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StepContext } from '../kit/define.ts';
import { ROOT } from '../kit/paths.ts';
import { Wakeup } from './wakeup.ts';

interface Read {
  partition: number;
  offset: number;
  value: string;
}

class MemberProcess {
  partitions: number[] = [];
  readonly received: Read[] = [];
  /** The offsets it has committed, per partition, as it reported them. */
  readonly committed = new Map<number, number>();
  exited: number | null | undefined;
  private readonly child: ChildProcess;
  private stderr = '';
  private readonly events = new Wakeup();

  constructor(groupId: string, topic: string, sessionTimeoutMs: number) {
    const script = fileURLToPath(new URL('./crash-member.ts', import.meta.url));
    this.child = spawn(
      process.execPath,
      ['--import', 'tsx', script, groupId, topic, String(sessionTimeoutMs)],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const e = JSON.parse(line) as {
        joined?: number[];
        read?: Read;
        committed?: { partition: number; offset: number };
      };
      if (e.joined) this.partitions = e.joined;
      if (e.read) this.received.push(e.read);
      if (e.committed) this.committed.set(e.committed.partition, e.committed.offset);
      this.events.wake();
    });
    this.child.stderr?.on('data', (d) => {
      this.stderr = `${this.stderr}${d}`.slice(-2000);
    });
    // 'close', not 'exit': the last lines it printed (a commit, the reason it died) are read
    // before `until` says it is gone.
    this.child.on('close', (code) => {
      this.exited = code;
      this.events.wake();
    });
  }

  /** Waits, waking on every line the member prints, until `ready()` holds. */
  until(what: string, ready: () => boolean): Promise<void> {
    const check = () => {
      if (this.exited !== undefined) {
        throw new Error(
          `the member process exited (${this.exited}) before ${what}: ${this.stderr}`,
        );
      }
    };
    // A new Node process compiles its imports with tsx before it can join: on a loaded 2-core
    // machine the start alone took over 10 s, so the usual 20 s leaves too little for the join.
    return this.events.until(what, ready, { check, timeoutMs: 60_000 });
  }

  /** SIGKILL, as a crash: no LeaveGroup, no commit. Resolves when the process is gone. */
  async kill(): Promise<void> {
    if (this.exited !== undefined) return;
    const gone = new Promise((resolve) => this.child.once('close', resolve));
    this.child.kill('SIGKILL');
    await gone;
  }
}

/** Starts the member in its own process; the step kills it when it ends, whatever happens. */
export function memberProcess(
  t: StepContext,
  groupId: string,
  topic: string,
  sessionTimeoutMs: number,
): MemberProcess {
  const m = new MemberProcess(groupId, topic, sessionTimeoutMs);
  t.defer(() => m.kill());
  return m;
}
