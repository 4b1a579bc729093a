import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { markedBlock } from '../kit/notes.ts';
import { notePath } from '../kit/paths.ts';
import { matrixTable } from './note-matrix.ts';

describe('notes/isolation.md', () => {
  it("the matrix tables are the anomaly records' (which the steps assert on every server)", () => {
    const note = readFileSync(notePath('isolation'), 'utf8');
    expect(markedBlock(note, 'matrix'), 'the <!-- matrix --> block').toBe(matrixTable().join('\n'));
  });
});
