import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { headroomCommand } from './headroom-command.ts';

main(demo, [headroomCommand]);
