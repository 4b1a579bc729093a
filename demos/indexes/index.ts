import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { explainCommand } from './explain-command.ts';

await main(demo, [explainCommand]);
