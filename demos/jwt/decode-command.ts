// `npx tsx demos/jwt decode <token>`: read a token without any key. Reading is not verifying.

import { UsageError } from '../kit/args.ts';
import type { Subcommand } from '../kit/cli.ts';
import { printToken } from './token-report.ts';
import { MalformedToken, readToken } from './token-text.ts';

export function parseToken(token: string | undefined) {
  if (!token) throw new UsageError('give the token to read, e.g. decode eyJhbGciOi…');
  try {
    return readToken(token);
  } catch (err) {
    if (err instanceof MalformedToken) throw new UsageError(`malformed token: ${err.message}`);
    throw err;
  }
}

export const decodeCommand: Subcommand = {
  name: 'decode',
  usage: '<token>',
  summary: 'print header and claims (no key needed; decoding is not verifying)',
  run: (argv, io) => {
    const positionals = argv.filter((a) => a !== '--no-color');
    if (positionals.length > 1)
      throw new UsageError(`decode takes one token, got ${positionals.length} arguments`);
    if (positionals[0]?.startsWith('-')) throw new UsageError(`unknown option "${positionals[0]}"`);
    const parts = parseToken(positionals[0]);
    io.out(
      io.style.paint(
        'yellow',
        'Decoded, NOT verified: anyone can read and forge these fields; `verify` checks the signature.',
      ),
    );
    printToken(io, parts, new Date());
    return 0;
  },
};
