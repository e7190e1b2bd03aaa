// GPU tests of AdamW against its CPU reference: several steps with a changing learning rate and a
// fused clip scale (float64 reference within f32 tolerances, torch-order float32 model within a
// few ulps); packed (views of flat buffers) and split (small bindings) launches give the same
// bits as one launch per parameter; determinism; typed errors before GPU work; flat live buffers.

import {
  getGpuContext,
  type GpuContext,
  InvalidArgumentError,
  ShapeError,
  Tensor,
} from '@mamba-webgpu/tensor';
import { expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import {
  bitwiseEqual,
  disposeMap,
  hostValues,
  PARAM_SHAPES,
  readAll,
  toFloat64,
  upload,
  uploadFlat,
} from '../../../test/training/helpers.js';
import { clipGradNorm } from '../grad-norm/grad-norm.js';
import { gradNormRef } from '../grad-norm/grad-norm-ref.js';
import { ADAMW_KERNELS, AdamW, type AdamWConstructorOptions } from './adamw.js';
import { AdamWRef } from './adamw-ref.js';

const OPTIONS = { lr: 1e-2, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 } as const;
const LRS = [1e-2, 5e-3, 2e-2, 1e-3];

/** Runs LRS.length GPU steps, clipping to `maxNorm` on steps 1 and 3 (fused scale). */
async function runGpu(
  ctx: GpuContext,
  params: Map<string, Tensor<'f32'>>,
  options: AdamWConstructorOptions = OPTIONS,
  maxNorm = 5,
  flatGrads = false,
): Promise<Map<string, Float32Array>> {
  using optimizer = new AdamW(params, options);
  for (const [step, lr] of LRS.entries()) {
    const flat = flatGrads ? uploadFlat(ctx, hostValues(100 + step)) : undefined;
    const grads = flat?.views ?? upload(ctx, hostValues(100 + step));
    if (step % 2 === 1) {
      using norm = clipGradNorm(grads, maxNorm, { inPlace: false });
      optimizer.step(grads, { lr, gradScale: norm });
    } else {
      optimizer.step(grads, { lr });
    }
    disposeMap(grads);
    flat?.base.dispose();
  }
  expect(optimizer.stepCount).toBe(LRS.length);
  return readAll(params);
}

function runRef(precision: 'float64' | 'float32', maxNorm = 5): Map<string, Float64Array> {
  const params = toFloat64(hostValues(1));
  const ref = new AdamWRef(params, { ...OPTIONS, precision });
  for (const [step, lr] of LRS.entries()) {
    const grads = toFloat64(hostValues(100 + step));
    const gradScale =
      step % 2 === 1 ? Math.min(1, maxNorm / (gradNormRef([...grads.values()]) + 1e-6)) : undefined;
    ref.step(grads, { lr, gradScale });
  }
  return params;
}

describe('AdamW (GPU vs CPU reference)', () => {
  for (const kernel of ADAMW_KERNELS) {
    it(`${kernel.name}: 4 steps with a changing lr and a fused clip scale`, async () => {
      const ctx = await getGpuContext();
      const params = upload(ctx, hostValues(1));
      const got = await runGpu(ctx, params);
      const exact = runRef('float64');
      const modelled = runRef('float32');
      for (const [name] of PARAM_SHAPES) {
        expectAllClose(got.get(name)!, exact.get(name)!, {
          rtol: 1e-5,
          atol: 1e-6,
          label: `${name} vs float64`,
        });
        expectAllClose(got.get(name)!, modelled.get(name)!, {
          rtol: 1e-6,
          atol: 1e-9,
          label: `${name} vs torch-order f32`,
        });
      }
      disposeMap(params);
      await ctx.checkErrors();
    });
  }

  it('no-decay group: A_log, .D, bias and norm parameters get weight decay 0', async () => {
    const ctx = await getGpuContext();
    const params = upload(ctx, hostValues(1));
    using optimizer = new AdamW(params, OPTIONS);
    const decaying = optimizer.names.filter((n) => optimizer.weightDecayOf(n) > 0);
    expect(decaying).toEqual([
      'backbone.embeddings.weight',
      'backbone.layers.0.mixer.in_proj.weight',
      'backbone.layers.0.mixer.out_proj.weight',
    ]);
    using custom = new AdamW(params, { ...OPTIONS, noDecay: (name) => name.endsWith('.weight') });
    expect(custom.weightDecayOf('backbone.layers.0.mixer.A_log')).toBe(0.1);
    expect(custom.weightDecayOf('backbone.layers.0.norm.weight')).toBe(0);
    disposeMap(params);
  });

  it('packs parameters and gradients that are views of flat buffers into one launch, with the same bits', async () => {
    const ctx = await getGpuContext();
    const separate = upload(ctx, hostValues(1));
    const expected = await runGpu(ctx, separate);
    const flatParams = uploadFlat(ctx, hostValues(1));
    const flatGrads = uploadFlat(ctx, hostValues(2));
    const separateGrads = upload(ctx, hostValues(2));
    for (const [params, grads, launches] of [
      [separate, separateGrads, PARAM_SHAPES.length],
      [flatParams.views, flatGrads.views, 1],
    ] as const) {
      using optimizer = new AdamW(params, OPTIONS);
      const dispatches = ctx.dispatchCount;
      optimizer.step(grads, { lr: 0 });
      expect(ctx.dispatchCount - dispatches).toBe(launches);
    }
    disposeMap(flatParams.views);
    flatParams.base.dispose();
    const packed = uploadFlat(ctx, hostValues(1));
    expect(bitwiseEqual(await runGpu(ctx, packed.views, OPTIONS, 5, true), expected)).toBe(true);
    for (const t of [packed.base, flatGrads.base]) t.dispose();
    for (const m of [packed.views, flatGrads.views, separate, separateGrads]) disposeMap(m);
  });

  it('splits parameters larger than one binding (small maxBindingBytes) with the same bits', async () => {
    const ctx = await getGpuContext();
    const whole = upload(ctx, hostValues(1));
    const expected = await runGpu(ctx, whole);
    const split = upload(ctx, hostValues(1));
    expect(bitwiseEqual(await runGpu(ctx, split, { ...OPTIONS, maxBindingBytes: 4096 }), expected)).toBe(
      true,
    );
    disposeMap(whole);
    disposeMap(split);
  });

  it('is deterministic: two runs give bitwise identical parameters', async () => {
    const ctx = await getGpuContext();
    const a = upload(ctx, hostValues(1));
    const b = upload(ctx, hostValues(1));
    expect(bitwiseEqual(await runGpu(ctx, a), await runGpu(ctx, b))).toBe(true);
    disposeMap(a);
    disposeMap(b);
  });

  it('refuses bad hyper-parameters and gradients with typed errors before any GPU work', async () => {
    const ctx = await getGpuContext();
    const params = upload(ctx, hostValues(1));
    const grads = upload(ctx, hostValues(2));
    const bad = (options: object, pattern: RegExp) => {
      expect(() => new AdamW(params, options)).toThrow(InvalidArgumentError);
      expect(() => new AdamW(params, options)).toThrow(pattern);
    };
    bad({ lr: Number.NaN }, /^AdamW: lr must be a finite number >= 0, got NaN/);
    bad({ lr: -1 }, /^AdamW: lr must be a finite number >= 0, got -1/);
    bad({ betas: [0.9, 1] }, /^AdamW: betas must be two numbers in \[0, 1\), got \[0.9, 1\]/);
    bad({ betas: [-0.1, 0.9] }, /betas/);
    bad({ eps: 0 }, /^AdamW: eps must be a finite number > 0, got 0/);
    bad({ weightDecay: -0.1 }, /^AdamW: weightDecay must be a finite number >= 0/);
    bad({ noDecay: [''] }, /^AdamW: noDecay must be/);
    expect(() => new AdamW(new Map())).toThrow(/^AdamW: params must hold at least one parameter/);
    const first = params.get('backbone.embeddings.weight')!;
    expect(() => new AdamW({ a: first, b: first })).toThrow(/^AdamW: params a and b are the same tensor/);
    using i32 = Tensor.fromArray(ctx, [1], [1], 'i32');
    expect(() => new AdamW({ p: i32 })).toThrow(/^AdamW: param p must be f32, got i32/);

    using optimizer = new AdamW(params, OPTIONS);
    using wrong = Tensor.fromArray(ctx, new Float32Array(333), [3, 111], 'f32');
    const before = ctx.stats().liveBuffers;
    expect(() => optimizer.step(grads, { lr: Number.NaN })).toThrow(
      /^AdamW.step: lr must be a finite number >= 0, got NaN/,
    );
    const missing = new Map(grads);
    missing.delete('backbone.layers.0.mixer.D');
    expect(() => optimizer.step(missing)).toThrow(
      /^AdamW.step: grads must hold a gradient for backbone.layers.0.mixer.D/,
    );
    expect(() => optimizer.step(new Map([...grads, ['extra', first]]))).toThrow(
      /^AdamW.step: grad extra matches no parameter/,
    );
    const reshaped = new Map(grads).set('backbone.layers.0.mixer.D', wrong);
    expect(() => optimizer.step(reshaped)).toThrow(ShapeError);
    expect(() => optimizer.step(reshaped)).toThrow(
      /^AdamW.step: grad backbone.layers.0.mixer.D must be \(333\) like its parameter, got \(3, 111\)/,
    );
    expect(() => optimizer.step(grads, { gradScale: {} as never })).toThrow(
      /^AdamW.step: gradScale must be a GradNorm/,
    );
    expect(optimizer.stepCount).toBe(0);
    expect(ctx.stats().liveBuffers).toBe(before);
    optimizer.dispose();
    expect(() => optimizer.step(grads)).toThrow(/^AdamW.step: the optimizer was disposed/);
    const lone = Tensor.fromArray(ctx, [1, 2], [2], 'f32', 'lone');
    using loneOptimizer = new AdamW({ w: lone });
    lone.dispose();
    using loneGrad = Tensor.fromArray(ctx, [1, 2], [2], 'f32');
    expect(() => loneOptimizer.step({ w: loneGrad })).toThrow(
      /^AdamW.step: parameter w \('lone'\) was disposed/,
    );
    disposeMap(params);
    disposeMap(grads);
  });

  it('allocates its state once: live buffers stay flat over 50 clipped steps, and dispose frees it', async () => {
    const ctx = await getGpuContext();
    const params = upload(ctx, hostValues(1));
    const grads = upload(ctx, hostValues(2));
    const before = ctx.stats().liveBuffers;
    const optimizer = new AdamW(params, OPTIONS);
    const withOptimizer = ctx.stats().liveBuffers;
    expect(withOptimizer).toBeGreaterThan(before);
    for (let step = 0; step < 50; step++) {
      using norm = clipGradNorm(grads, 1, { inPlace: false });
      optimizer.step(grads, { gradScale: norm });
      expect(ctx.stats().liveBuffers).toBe(withOptimizer + 1);
    }
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(withOptimizer);
    optimizer.dispose();
    expect(ctx.stats().liveBuffers).toBe(before);
    disposeMap(params);
    disposeMap(grads);
  });
});
