import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { exitCodeCommand } from './exit-code-command.ts';
import { stopTestCommand } from './stop-test-command.ts';

await main(demo, [exitCodeCommand, stopTestCommand]);
