import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { loadCommand } from './load-command.ts';

await main(demo, [loadCommand]);
