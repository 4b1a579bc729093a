import { describe, expect, it } from 'vitest';
import { javaStringHash } from './client.ts';

describe('javaStringHash (String.hashCode, as the coordinator hashes group ids)', () => {
  it.each([
    ['', 0],
    ['a', 97],
    ['hello', 99162322],
    // The classic string whose hashCode is Integer.MIN_VALUE, where Math.abs stays negative.
    ['polygenelubricants', -2147483648],
  ])('%j → %d', (s, expected) => {
    expect(javaStringHash(s)).toBe(expected);
  });
});
