import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';

await main(demo, []);
