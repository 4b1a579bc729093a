import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { matrixCommand } from './matrix-command.ts';

await main(demo, [matrixCommand]);
