import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { partitionCommand } from './partition-command.ts';

await main(demo, [partitionCommand]);
