import { describe, expect, it } from 'vitest';
import { Timeout, waitFor } from './wait.ts';

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let n = 0;
    expect(await waitFor('n to reach 3', () => (++n >= 3 ? n : undefined), { intervalMs: 1 })).toBe(
      3,
    );
  });

  it('gives up with a Timeout naming what it waited for and the last error', async () => {
    const err = await waitFor(
      'the impossible',
      () => {
        throw new Error('still no');
      },
      { timeoutMs: 20, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Timeout);
    expect(String(err)).toMatch(/waiting for the impossible \(last error: still no\)/);
  });
});
