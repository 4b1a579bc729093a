import { testDemo } from '../kit/vitest.ts';
import { demo } from './demo.ts';

testDemo(demo);
