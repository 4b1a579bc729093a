import { main } from '../kit/cli.ts';
import { decodeCommand } from './decode-command.ts';
import { demo } from './demo.ts';
import { verifyCommand } from './verify-command.ts';

await main(demo, [decodeCommand, verifyCommand]);
