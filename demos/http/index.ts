import { main } from '../kit/cli.ts';
import { demo } from './demo.ts';
import { serve } from './serve.ts';

await main(demo, [serve]);
