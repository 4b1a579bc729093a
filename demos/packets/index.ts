import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';

main(demo, []);
