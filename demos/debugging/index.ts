import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { triageCommand } from './triage-command.ts';

await main(demo, [triageCommand]);
