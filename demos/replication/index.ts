import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { lagCommand } from './lag-command.ts';

await main(demo, [lagCommand]);
