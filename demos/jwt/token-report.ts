// Prints a token's header and claims for the decode and verify subcommands.

import type { CliIO } from '../kit/cli.ts';
import { describeTime, type TokenParts, warnings } from './token-text.ts';

const TIME_CLAIMS = ['iat', 'nbf', 'exp'];

export function printClaims(io: CliIO, claims: Record<string, unknown>, now: Date): void {
  const width = Math.max(...Object.keys(claims).map((k) => k.length), 3);
  for (const [name, value] of Object.entries(claims)) {
    const shown = TIME_CLAIMS.includes(name)
      ? (describeTime(value, now) ?? JSON.stringify(value))
      : JSON.stringify(value);
    io.out(`  ${name.padEnd(width)}  ${shown}`);
  }
}

export function printToken(io: CliIO, parts: TokenParts, now: Date): void {
  const { paint } = io.style;
  io.out(paint('bold', 'header'));
  printClaims(io, parts.header, now);
  io.out(paint('bold', 'payload'));
  printClaims(io, parts.payload, now);
  const found = warnings(parts, now);
  if (found.length) io.out(paint('bold', 'warnings'));
  for (const w of found) io.out(`  ${paint('yellow', '!')} ${w}`);
}
