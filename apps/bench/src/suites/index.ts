// The suite registry: every suite the bench runs, in this order (ops, scan, tokenizer, model, quant, load, serve, train, tasks).
// Each suite file is written against ../types.ts; add its import and entry here when it lands.
import type { BenchSuite } from '../types.js';

import { opsSuite } from './ops.js';
import { scanSuite } from './scan.js';
import { tokenizerSuite } from './tokenizer.js';
import { modelSuite } from './model.js';
import { quantSuite } from './quant.js';
import { loadSuite } from './load.js';
import { serveSuite } from './serve.js';
import { trainSuite } from './train.js';
import { tasksSuite } from './tasks.js';

/** Registered suites in run order. */
export const SUITES: BenchSuite[] = [
  opsSuite,
  scanSuite,
  tokenizerSuite,
  modelSuite,
  quantSuite,
  loadSuite,
  serveSuite,
  trainSuite,
  tasksSuite,
];
