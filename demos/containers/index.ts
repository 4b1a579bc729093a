import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { inspectCommand } from './inspect-command.ts';

await main(demo, [inspectCommand]);
