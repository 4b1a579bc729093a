// Waiting on events kafkajs (or a member process) reports: a join, a record, a crash. Each event
// wakes the waiters, which re-check their condition; a bounded poll covers what sends no event.

import { Timeout } from '../kit/wait.ts';

export class Wakeup {
  private waiters = new Set<() => void>();

  wake(): void {
    for (const w of this.waiters) w();
  }

  /** Resolves on the next wake(), or after `ms` at most. */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  /** Waits until `ready()` holds; `check` throws to end the wait early (a crashed member). */
  async until(
    what: string,
    ready: () => boolean,
    {
      timeoutMs = 20_000,
      check = () => undefined,
    }: { timeoutMs?: number; check?: () => void } = {},
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      check();
      if (Date.now() > deadline) throw new Timeout(`gave up after ${timeoutMs} ms: ${what}`);
      await this.next(200);
    }
  }
}
