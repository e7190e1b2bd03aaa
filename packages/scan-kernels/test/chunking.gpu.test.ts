// Chunking invariance: scanning [0, L) equals scanning [0, k) then [k, L) from the returned state,
// equals L calls of selectiveStateUpdate; causalConv1d over a prompt then causalConv1dUpdate per
// token equals causalConv1d over the whole sequence.
import { Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, it } from 'vitest';
import {
  type SelectiveScanRefArgs,
  causalConv1d,
  causalConv1dUpdate,
  selectiveScan,
  selectiveStateUpdate,
} from '../src/index.js';
import { SCAN_KERNELS } from '../src/selective-scan/kernels.js';
import { testContext } from './gpu.js';
import { disposeAll, randomScan, uploadScan } from './scan-data.js';

/** Time slice [t0, t1) of a (rows, seqLen) array. */
function sliceTime(
  data: ArrayLike<number>,
  rows: number,
  seqLen: number,
  t0: number,
  t1: number,
): Float32Array {
  const out = new Float32Array(rows * (t1 - t0));
  for (let r = 0; r < rows; r++) {
    for (let t = t0; t < t1; t++) out[r * (t1 - t0) + t - t0] = data[r * seqLen + t]!;
  }
  return out;
}

function sliceScan(a: SelectiveScanRefArgs, t0: number, t1: number): SelectiveScanRefArgs {
  const { batch, dInner, seqLen, dState } = a;
  const rows = batch * dInner;
  return {
    ...a,
    seqLen: t1 - t0,
    u: sliceTime(a.u, rows, seqLen, t0, t1),
    delta: sliceTime(a.delta, rows, seqLen, t0, t1),
    z: a.z ? sliceTime(a.z, rows, seqLen, t0, t1) : undefined,
    B: sliceTime(a.B, batch * dState, seqLen, t0, t1),
    C: sliceTime(a.C, batch * dState, seqLen, t0, t1),
  };
}

describe('chunking invariance', () => {
  const [batch, dInner, seqLen, dState, k] = [2, 8, 2100, 16, 1037];
  const host = randomScan(77, batch, dInner, seqLen, dState, {
    D: true,
    z: true,
    deltaBias: true,
    deltaSoftplus: true,
  });

  it.each(SCAN_KERNELS.map((kernel) => [kernel.name, kernel] as const))(
    '%s: scan [0, L) == scan [0, k) then [k, L) from the returned state',
    async (_, kernel) => {
      const ctx = await testContext();
      const full = uploadScan(ctx, host);
      const whole = selectiveScan(ctx, { ...full.args, kernel: kernel.name });
      const first = uploadScan(ctx, sliceScan(host, 0, k));
      const a = selectiveScan(ctx, { ...first.args, kernel: kernel.name });
      const second = uploadScan(ctx, sliceScan(host, k, seqLen));
      const b = selectiveScan(ctx, { ...second.args, initialState: a.lastState, kernel: kernel.name });
      const wholeY = await whole.y.read();
      const rows = batch * dInner;
      expectAllClose(await a.y.read(), sliceTime(wholeY, rows, seqLen, 0, k), {
        ...TOLERANCES.f32,
        label: 'y[0,k)',
      });
      expectAllClose(await b.y.read(), sliceTime(wholeY, rows, seqLen, k, seqLen), {
        ...TOLERANCES.f32,
        label: 'y[k,L)',
      });
      expectAllClose(await b.lastState.read(), await whole.lastState.read(), {
        ...TOLERANCES.f32,
        label: 'state',
      });
      await ctx.checkErrors();
      for (const r of [whole, a, b]) {
        r.y.dispose();
        r.lastState.dispose();
      }
      for (const upload of [full, first, second]) disposeAll(upload.owned);
    },
  );

  it('selectiveScan == seqLen calls of selectiveStateUpdate', async () => {
    const ctx = await testContext();
    const L = 40;
    const small = randomScan(78, 2, 4, L, 16, { D: true, z: true, deltaBias: true, deltaSoftplus: true });
    const { args, owned } = uploadScan(ctx, small);
    const scan = selectiveScan(ctx, args);
    const scanY = await scan.y.read();
    using state = Tensor.fromArray(ctx, new Float32Array(2 * 4 * 16), [2, 4, 16], 'f32');
    const rows = 2 * 4;
    for (let t = 0; t < L; t++) {
      const column = (data: ArrayLike<number>, r: number) => sliceTime(data, r, L, t, t + 1);
      using x = Tensor.fromArray(ctx, column(small.u, rows), [2, 4], 'f32');
      using dt = Tensor.fromArray(ctx, column(small.delta, rows), [2, 4], 'f32');
      using z = Tensor.fromArray(ctx, column(small.z!, rows), [2, 4], 'f32');
      using B = Tensor.fromArray(ctx, column(small.B, 2 * 16), [2, 16], 'f32');
      using C = Tensor.fromArray(ctx, column(small.C, 2 * 16), [2, 16], 'f32');
      using y = selectiveStateUpdate(ctx, {
        state,
        x,
        dt,
        A: args.A,
        B,
        C,
        D: args.D,
        z,
        dtBias: args.deltaBias,
        dtSoftplus: true,
      });
      expectAllClose(await y.read(), column(scanY, rows), { ...TOLERANCES.f32, label: `y step ${t}` });
    }
    expectAllClose(await state.read(), await scan.lastState.read(), { ...TOLERANCES.f32, label: 'state' });
    await ctx.checkErrors();
    scan.y.dispose();
    scan.lastState.dispose();
    disposeAll(owned);
  });

  it('causalConv1d(prompt) then causalConv1dUpdate per token == causalConv1d(whole)', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(79);
    const [b, d, L, width, prompt] = [2, 6, 20, 4, 9];
    const xHost = rng.array(b * d * L);
    using weight = Tensor.fromArray(ctx, rng.array(d * width), [d, width], 'f32');
    using bias = Tensor.fromArray(ctx, rng.array(d), [d], 'f32');
    using x = Tensor.fromArray(ctx, xHost, [b, d, L], 'f32');
    const whole = causalConv1d(ctx, { x, weight, bias, silu: true });
    const wholeY = await whole.y.read();
    using xPrompt = Tensor.fromArray(ctx, sliceTime(xHost, b * d, L, 0, prompt), [b, d, prompt], 'f32');
    const head = causalConv1d(ctx, { x: xPrompt, weight, bias, silu: true });
    expectAllClose(await head.y.read(), sliceTime(wholeY, b * d, L, 0, prompt), { rtol: 1e-5, atol: 1e-5 });
    for (let t = prompt; t < L; t++) {
      using xt = Tensor.fromArray(ctx, sliceTime(xHost, b * d, L, t, t + 1), [b, d], 'f32');
      using y = causalConv1dUpdate(ctx, { x: xt, convState: head.finalState, weight, bias, silu: true });
      expectAllClose(await y.read(), sliceTime(wholeY, b * d, L, t, t + 1), {
        rtol: 1e-5,
        atol: 1e-5,
        label: `token ${t}`,
      });
    }
    expectAllClose(await head.finalState.read(), await whole.finalState.read(), { rtol: 0, atol: 0 });
    await ctx.checkErrors();
    for (const t of [whole.y, whole.finalState, head.y, head.finalState]) t.dispose();
  });
});
