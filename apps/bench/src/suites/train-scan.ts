// The scan half of the `train` suite: the selective scan's forward alone, the training forward
// (which also saves the chunk-boundary states), the fused backward (recomputing states chunk by
// chunk) and forward + backward, at the anchor shapes (the bench adds the official CUDA kernels'
// figures on the anchors' GPU: anchors/official.ts).

import {
  selectiveScan,
  selectiveScanBackward,
  selectiveScanForwardForTraining,
} from '@mamba-webgpu/scan-kernels';
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { type Measurement, measure } from '@mamba-webgpu/tensor/internal';
import { sampleFields, warmUpGpu } from '../runner.js';
import type { BenchContext, BenchRow } from '../types.js';

type Shape = readonly [batch: number, dInner: number, seqLen: number, dState: number];
export const TRAIN_SCAN_FULL: Shape[] = [
  [8, 1536, 2048, 16],
  [1, 1536, 2048, 16],
];
export const TRAIN_SCAN_SMALL: Shape[] = [[1, 64, 512, 16]];

/** Deterministic fill in [lo, hi) (an LCG). */
function fill(n: number, seed: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 4294967296;
  }
  return out;
}

function inputs(gpu: GpuContext, [batch, dInner, seqLen, dState]: Shape) {
  const bdl = [batch, dInner, seqLen];
  const bnl = [batch, dState, seqLen];
  const t = (data: Float32Array, shape: number[], label: string) =>
    Tensor.fromArray(gpu, data, shape, 'f32', `bench/train-scan/${label}`);
  const n = batch * dInner * seqLen;
  const m = batch * dState * seqLen;
  return {
    u: t(fill(n, 1, -1, 1), bdl, 'u'),
    delta: t(fill(n, 2, -4, 1), bdl, 'delta'),
    z: t(fill(n, 3, -2, 2), bdl, 'z'),
    A: t(
      Float32Array.from({ length: dInner * dState }, (_, i) => -((i % dState) + 1)),
      [dInner, dState],
      'A',
    ),
    B: t(fill(m, 4, -1, 1), bnl, 'B'),
    C: t(fill(m, 5, -1, 1), bnl, 'C'),
    D: t(fill(dInner, 6, 0, 1), [dInner], 'D'),
    deltaBias: t(fill(dInner, 7, -1, 0), [dInner], 'delta-bias'),
    dy: t(fill(n, 8, -1, 1), bdl, 'dy'),
  };
}

/** Rows: scan fwd, training fwd, bwd, fwd+bwd (ms). */
export async function trainScanRows(ctx: BenchContext, onStep: (label: string) => void): Promise<BenchRow[]> {
  const gpu = ctx.gpu!;
  const shapes = ctx.sizing === 'full' ? TRAIN_SCAN_FULL : TRAIN_SCAN_SMALL;
  const samples = ctx.sizing === 'full' ? 10 : 3;
  const rows: BenchRow[] = [];
  for (const s of shapes) {
    const shape = `(${s.join(',')})`;
    const x = inputs(gpu, s);
    const { dy, ...forwardInputs } = x;
    const args = { ...forwardInputs, deltaSoftplus: true };
    try {
      if (ctx.sizing === 'full') await warmUpGpu(gpu, 300);
      // Wall clock around submit: the training kernels upload their packed per-channel parameters
      // (a queue write submits), which a GPU-timestamped pass would not cover.
      const time = (record: () => void) => measure(gpu, record, { warmup: 2, samples, wallClock: true });
      const fwd = await time(() => {
        const r = selectiveScan(gpu, args);
        r.y.dispose();
        r.lastState.dispose();
      });
      const saved = selectiveScanForwardForTraining(gpu, args);
      const trainingFwd = await time(() => {
        const r = selectiveScanForwardForTraining(gpu, args);
        for (const t of [r.y, r.lastState, r.checkpoint.chunkStates]) t.dispose();
      });
      const disposeGrads = (g: object) => {
        for (const t of Object.values(g)) (t as Tensor | undefined)?.dispose();
      };
      const bwd = await time(() =>
        disposeGrads(selectiveScanBackward(gpu, { ...args, dy, checkpoint: saved.checkpoint })),
      );
      const both = await time(() => {
        const r = selectiveScanForwardForTraining(gpu, args);
        disposeGrads(selectiveScanBackward(gpu, { ...args, dy, checkpoint: r.checkpoint }));
        for (const t of [r.y, r.lastState, r.checkpoint.chunkStates]) t.dispose();
      });
      for (const t of [saved.y, saved.lastState, saved.checkpoint.chunkStates]) t.dispose();
      const row = (name: string, m: Measurement): BenchRow => ({
        suite: 'train',
        name,
        shape,
        value: m.median,
        unit: 'ms',
        ...sampleFields(m),
        extra: { timing: m.clock },
      });
      rows.push(
        row('scan forward (inference)', fwd),
        row('scan forward (training, saves chunk states)', trainingFwd),
        row('scan backward (recomputes states)', bwd),
        row('scan forward + backward', both),
      );
      onStep(`scan ${shape}`);
    } finally {
      for (const t of Object.values(x)) t.dispose();
      await gpu.sync('bench/train-scan');
    }
  }
  return rows;
}
