// Standalone H200 sweep of the fused scan backward's configuration (one device run): for each
// channels x lanes x steps x tileStates, the training forward saves its chunk states and the
// backward is timed (wall clock around submit: the kernels upload packed parameters by queue
// writes), and its gradients are compared with the default configuration's (max relative error).
// Run: `pnpm tune:scan-backward` (bundles to apps/bench/.bench-out/tune-scan-backward.mjs).
//   SHAPES=8x1536x2048x16 CONFIGS=8x32x8x4,4x64x8x4 node apps/bench/.bench-out/tune-scan-backward.mjs
import { writeFileSync } from 'node:fs';
import { Tensor, getGpuContext } from '@mamba-webgpu/tensor';
import { measure } from '@mamba-webgpu/tensor/internal';
import {
  selectiveScanBackwardWith,
  selectiveScanForwardForTrainingWith,
} from '../src/selective-scan-backward/selective-scan-backward.js';
import type { ScanTrainingConfig } from '../src/selective-scan-backward/types.js';
import {
  DEFAULT_TRAINING_CONFIG,
  chunkedReverseKernel,
} from '../src/selective-scan-backward/v1-chunked-reverse.js';
import { fill } from './fill.js';

const SHAPES = (process.env.SHAPES ?? '8x1536x2048x16,1x1536x2048x16')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number, number, number]);
const CONFIGS = (
  process.env.CONFIGS ??
  '8x32x8x4,4x64x8x4,16x16x8x4,4x32x8x4,8x16x8x4,8x32x4x4,8x32x16x4,8x64x4x4,8x32x8x2,8x32x8x8,2x128x8x4,16x16x16x4'
)
  .split(',')
  .filter(Boolean)
  .map((s) => {
    const [channels, lanes, steps, tileStates] = s.split('x').map(Number) as [number, number, number, number];
    return { name: s, config: { ...DEFAULT_TRAINING_CONFIG, channels, lanes, steps, tileStates } };
  });

function maxRelError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!));
  return err / Math.max(scale, 1e-30);
}

async function main() {
  const ctx = await getGpuContext();
  console.log(ctx.describe());
  const rows: Record<string, unknown>[] = [];
  for (const [batch, dInner, seqLen, dState] of SHAPES) {
    const n = batch * dInner * seqLen;
    const m = batch * dState * seqLen;
    const t = (data: Float32Array, shape: number[]) => Tensor.fromArray(ctx, data, shape, 'f32');
    const args = {
      u: t(fill(n, 1, -1, 1), [batch, dInner, seqLen]),
      delta: t(fill(n, 2, -4, 1), [batch, dInner, seqLen]),
      z: t(fill(n, 3, -2, 2), [batch, dInner, seqLen]),
      A: t(
        Float32Array.from({ length: dInner * dState }, (_, i) => -((i % dState) + 1)),
        [dInner, dState],
      ),
      B: t(fill(m, 4, -1, 1), [batch, dState, seqLen]),
      C: t(fill(m, 5, -1, 1), [batch, dState, seqLen]),
      D: t(fill(dInner, 6, 0, 1), [dInner]),
      deltaBias: t(fill(dInner, 7, -1, 0), [dInner]),
      deltaSoftplus: true,
    };
    const dy = t(fill(n, 8, -1, 1), [batch, dInner, seqLen]);
    const shape = `(${batch},${dInner},${seqLen},${dState})`;
    let reference: Record<string, Float32Array> | undefined;
    for (const { name, config } of CONFIGS) {
      const kernel = chunkedReverseKernel(`v1-${name}`, config as ScanTrainingConfig);
      const options = { versions: [kernel] };
      try {
        const saved = selectiveScanForwardForTrainingWith(ctx, args, options);
        const backward = () =>
          selectiveScanBackwardWith(ctx, { ...args, dy, checkpoint: saved.checkpoint }, options);
        const dispose = (g: object) => {
          for (const v of Object.values(g)) (v as Tensor | undefined)?.dispose();
        };
        const time = await measure(ctx, () => dispose(backward()), {
          warmup: 3,
          samples: 10,
          wallClock: true,
        });
        const grads = backward();
        const read: Record<string, Float32Array> = {};
        for (const [k, v] of Object.entries(grads))
          if (v) read[k] = (await (v as Tensor).read()) as Float32Array;
        dispose(grads);
        for (const v of [saved.y, saved.lastState, saved.checkpoint.chunkStates]) v.dispose();
        reference ??= read;
        const err = Math.max(...Object.keys(read).map((k) => maxRelError(read[k]!, reference![k]!)));
        rows.push({ shape, config: name, ms: time.median, spread: time.spread, maxRelErrVsFirst: err });
        console.log(
          `${shape} ${name.padEnd(12)} ${time.median.toFixed(3).padStart(8)} ms  ±${(100 * time.spread).toFixed(1)}%  err ${err.toExponential(1)}`,
        );
      } catch (error) {
        console.log(`${shape} ${name.padEnd(12)} failed: ${(error as Error).message.slice(0, 160)}`);
        rows.push({ shape, config: name, error: (error as Error).message });
      }
    }
    for (const v of [...Object.values(args), dy]) if (v instanceof Tensor) v.dispose();
    await ctx.sync('tune-scan-backward');
  }
  writeFileSync(
    `${process.env.OUT ?? '.'}/tune-scan-backward.json`,
    JSON.stringify({ adapter: ctx.describe(), rows }, null, 2),
  );
}

await main();
