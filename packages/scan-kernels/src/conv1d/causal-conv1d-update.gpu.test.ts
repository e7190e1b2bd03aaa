// Every version of CAUSAL_CONV1D_UPDATE_KERNELS against the CPU reference over several steps, on
// awkward shapes (dInner not a multiple of any workgroup, batch 1 and 3, rows of x longer than one
// z-slice holds, widths 2..4, f32/bf16 projections), x read as a view of in_proj's output, with
// poisoned outputs; plus the typed errors of the boundary.
import { Tensor } from '@mamba-webgpu/tensor';
import { roundThrough } from '@mamba-webgpu/tensor/internal';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import {
  CAUSAL_CONV1D_UPDATE_KERNELS,
  causalConv1dUpdate,
  causalConv1dUpdateWith,
  validateCausalConv1dUpdate,
} from './causal-conv1d-update.js';
import { causalConv1dUpdateRef } from './causal-conv1d-update-ref.js';

/** Columns [0, cols) of a (rows, stride) row-major array. */
function leftColumns(host: Float32Array, rows: number, stride: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) out.set(host.subarray(r * stride, r * stride + cols), r * cols);
  return out;
}

describe('causalConv1dUpdate versions vs CPU reference', () => {
  // batch, dInner, width, bias, silu, updateState, projection rows (0: none), projection dtype
  const cases = [
    [1, 8, 4, true, true, true, 0, 'f32'],
    [3, 37, 2, false, false, false, 0, 'f32'],
    [3, 36, 4, true, true, false, 19, 'f32'],
    [1, 64, 3, false, true, false, 80, 'bf16'],
    [3, 2048, 4, true, true, false, 40, 'f32'],
    [2, 12, 4, true, true, true, 5, 'f32'],
  ] as const;
  for (const [batch, dInner, width, withBias, silu, updateState, n, dtype] of cases) {
    for (const kernel of CAUSAL_CONV1D_UPDATE_KERNELS) {
      const label = `${kernel.name} (${batch},${dInner}) width ${width}${withBias ? ' bias' : ''}${silu ? ' silu' : ''}${updateState ? '' : ' no-update'}${n ? ` projection ${n} ${dtype}` : ''}`;
      it(label, async () => {
        const ctx = await testContext();
        const rng = new SeededRandom(batch * 31 + dInner + width + n);
        const weightHost = rng.array(dInner * width);
        const biasHost = withBias ? rng.array(dInner) : undefined;
        const projectionHost = n ? rng.array(n * dInner, () => rng.uniform(-0.1, 0.1)) : undefined;
        const stateHost = rng.array(batch * dInner * width);
        using weight = Tensor.fromArray(ctx, weightHost, [dInner, width], 'f32');
        using bias = biasHost ? Tensor.fromArray(ctx, biasHost, [dInner], 'f32') : undefined;
        using projection = projectionHost
          ? Tensor.fromArray(ctx, projectionHost, [n, dInner], dtype)
          : undefined;
        using convState = Tensor.fromArray(ctx, stateHost, [batch, dInner, width], 'f32');
        for (let step = 0; step < 2; step++) {
          // x is the left half of an in_proj-like (batch, 2 * dInner) output, read in place.
          const xzHost = rng.array(batch * 2 * dInner);
          using xz = Tensor.fromArray(ctx, xzHost, [batch, 2 * dInner], 'f32');
          using x = xz.slice(1, 0, dInner);
          using out = Tensor.empty(ctx, [batch, n || dInner], 'f32').poison();
          const args = { x, convState, weight, bias, silu, updateState, projection, out };
          const supported = kernel.supports(validateCausalConv1dUpdate(ctx, args));
          // v2 fuses exactly the model's x_proj step: a projection, the state left to shift later.
          expect(supported).toBe(kernel.name === 'v1-plain' || (n > 0 && !updateState));
          if (!supported) return;
          causalConv1dUpdateWith(ctx, args, { kernel: kernel.name });
          const expected = causalConv1dUpdateRef({
            batch,
            dInner,
            width,
            x: leftColumns(xzHost, batch, 2 * dInner, dInner),
            convState: stateHost,
            weight: weightHost,
            bias: biasHost,
            silu,
            updateState,
            projection: projectionHost && {
              weight: dtype === 'f32' ? projectionHost : roundThrough(projectionHost, dtype),
              n,
            },
          });
          const tol = n ? TOLERANCES[dtype] : { rtol: 1e-5, atol: 1e-5 };
          expectAllClose(await out.read(), expected, { ...tol, label: `out step ${step}` });
          expectAllClose(await convState.read(), stateHost, {
            rtol: 0,
            atol: 0,
            label: `convState step ${step}`,
          });
        }
        await ctx.checkErrors();
      });
    }
  }
});

describe('causalConv1dUpdate boundary errors', () => {
  it('rejects bad projections, outputs and a strided conv state with typed errors', async () => {
    const ctx = await testContext();
    using x = Tensor.empty(ctx, [2, 8], 'f32');
    using weight = Tensor.empty(ctx, [8, 4], 'f32');
    using convState = Tensor.empty(ctx, [2, 8, 4], 'f32');
    using wide = Tensor.empty(ctx, [2, 8, 5], 'f32');
    using stateView = wide.slice(2, 1, 5);
    using projection = Tensor.empty(ctx, [6, 7], 'f32');
    using out = Tensor.empty(ctx, [2, 5], 'f32');
    expect(() => causalConv1dUpdate(ctx, { x, convState, weight, projection })).toThrow(
      'causalConv1dUpdate: projection must be (n, dInner) = (*, 8), got (6, 7)',
    );
    expect(() => causalConv1dUpdate(ctx, { x, convState, weight, out })).toThrow(
      'causalConv1dUpdate: out must be (batch, dInner) = (2, 8), got (2, 5)',
    );
    expect(() => causalConv1dUpdate(ctx, { x, convState: stateView, weight })).toThrow(
      'causalConv1dUpdate: convState must be a contiguous tensor (it is updated in place), got a strided view',
    );
    expect(() => causalConv1dUpdateWith(ctx, { x, convState, weight }, { kernel: 'v2-gemv' })).toThrow(
      'causalConv1dUpdate: kernel v2-gemv does not support this problem',
    );
  });
});
