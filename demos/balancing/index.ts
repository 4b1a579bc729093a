import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { spreadCommand } from './spread-command.ts';

await main(demo, [spreadCommand]);
