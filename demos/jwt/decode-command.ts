// `npx tsx demos/jwt decode <token>`: read a token without any key. Reading is not verifying.

import { parseOptions, UsageError } from '../kit/args.ts';
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
    const { values, positionals } = parseOptions(argv, {
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.out('Usage: npx tsx demos/jwt decode <token>');
      io.out('Prints the header and claims without any key: decoding is not verifying.');
      return 0;
    }
    if (positionals.length > 1)
      throw new UsageError(`decode takes one token, got ${positionals.length} arguments`);
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
