import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { inspectCommand } from './inspect-command.ts';

main(demo, [inspectCommand]);
