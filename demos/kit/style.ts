// Colours for the transcript: on only for a TTY, off with NO_COLOR or --no-color.

import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

export interface Style {
  enabled: boolean;
  paint(format: Format, text: string): string;
}

export function colorWanted(stream: NodeJS.WriteStream, noColorFlag: boolean): boolean {
  if (noColorFlag) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    // styleText is told not to look at the stream itself: the decision above is the one that counts.
    paint: (format, text) => (enabled ? styleText(format, text, { validateStream: false }) : text),
  };
}
