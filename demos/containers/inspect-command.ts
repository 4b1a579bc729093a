import type { Subcommand } from '../kit/cli.ts';
export const inspectCommand: Subcommand = {
  name: 'inspect',
  usage: '<pid>',
  summary: 'x',
  run: () => 0,
};
