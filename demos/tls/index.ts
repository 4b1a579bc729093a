import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { probeCommand } from './probe-command.ts';

await main(demo, [probeCommand]);
