import { main } from '../kit/cli.ts';
import { decodeCommand } from './decode.ts';
import { demo } from './demo.ts';
import { verifyCommand } from './verify.ts';

main(demo, [decodeCommand, verifyCommand]);
