import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { triageCommand } from './triage-command.ts';

main(demo, [triageCommand]);
