import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { headroomCommand } from './headroom-command.ts';

await main(demo, [headroomCommand]);
