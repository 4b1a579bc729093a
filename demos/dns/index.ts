import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { whyCommand } from './why-command.ts';

await main(demo, [whyCommand]);
