import { main } from '../kit/cli.ts';
import { checkCommand } from './check-command.ts';
import { demo } from './demo.ts';

await main(demo, [checkCommand]);
