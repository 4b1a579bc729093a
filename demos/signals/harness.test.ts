// The harness's two ends of a process: `exited` (the kernel reaped it) and `ended` (and its
// output streams closed). Output read after `exited` can miss the last bytes — the pid1 step once
// read an empty output with exit code 0 that way; read after `ended` it is complete.

import { afterEach, describe, expect, it } from 'vitest';
import { runName } from '../kit/names.ts';
import { Processes } from './harness.ts';

describe('Processes: exited, then ended', () => {
  const procs = new Processes(runName('signals'));
  afterEach(() => procs.killAll());

  it('ended waits for output written after the exit; exited does not', async () => {
    // sh exits at once; the background child it leaves holds stdout and prints only when told,
    // so "late" comes after the exit by construction, not by timing.
    const p = procs.start('sh', ['-c', 'exec 3<&0; (read go <&3; echo late) & echo early; exit 0']);
    const exit = await p.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    await p.waitFor(/early/);
    expect(p.output()).not.toContain('late');
    p.send('go');
    expect(await p.ended).toEqual({ code: 0, signal: null });
    expect(p.output()).toBe('early\nlate\n');
  });
});
