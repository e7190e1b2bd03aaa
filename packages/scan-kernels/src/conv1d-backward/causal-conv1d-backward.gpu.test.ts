// causalConv1dBackward on the GPU: every registered version against the float64 reference on
// seeded grids (poisoned outputs), against PyTorch's float64 oracle, bitwise determinism of
// dWeight/dBias, strided inputs, ownership (no leaked temporaries) and typed boundary errors.
import { fileURLToPath } from 'node:url';
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { readSafetensors } from '../../test/safetensors.js';
import {
  allocateConv1dBackwardOutputs,
  causalConv1dBackward,
  recordConv1dBackward,
} from './causal-conv1d-backward.js';
import { type CausalConv1dBackwardRefArgs, causalConv1dBackwardRef } from './causal-conv1d-backward-ref.js';
import { CONV1D_BACKWARD_KERNELS } from './kernels.js';
import type { CausalConv1dBackwardArgs, CausalConv1dBackwardResult } from './types.js';
import { validateConv1dBackward } from './validate.js';

const TOL = TOLERANCES.f32;

interface Case {
  batch: number;
  dInner: number;
  seqLen: number;
  width: number;
  bias: boolean;
  /** Columns of the initial state; 0 = none. */
  initWidth: number;
  silu: boolean;
}

const caseName = (c: Case) =>
  `(${c.batch},${c.dInner},${c.seqLen}) width ${c.width}${c.bias ? ' bias' : ''}${c.initWidth ? ` init ${c.initWidth}` : ''}${c.silu ? ' silu' : ''}`;

/** Seeded host inputs of a case. */
function hostArgs(c: Case, seed: number): CausalConv1dBackwardRefArgs & { dy: Float32Array } {
  const rng = new SeededRandom(seed);
  const n = c.batch * c.dInner * c.seqLen;
  return {
    batch: c.batch,
    dInner: c.dInner,
    seqLen: c.seqLen,
    width: c.width,
    x: rng.array(n),
    weight: rng.array(c.dInner * c.width, () => rng.uniform(-0.5, 0.5)),
    bias: c.bias ? rng.array(c.dInner) : undefined,
    initialState: c.initWidth ? rng.array(c.batch * c.dInner * c.initWidth) : undefined,
    initWidth: c.initWidth || undefined,
    silu: c.silu,
    dy: rng.array(n),
  };
}

function upload(ctx: GpuContext, h: ReturnType<typeof hostArgs>): CausalConv1dBackwardArgs {
  const t = (data: ArrayLike<number>, shape: number[], label: string) =>
    Tensor.fromArray(ctx, data, shape, 'f32', label);
  return {
    x: t(h.x, [h.batch, h.dInner, h.seqLen], 'x'),
    weight: t(h.weight, [h.dInner, h.width], 'weight'),
    bias: h.bias && t(h.bias, [h.dInner], 'bias'),
    initialState: h.initialState && t(h.initialState, [h.batch, h.dInner, h.initWidth!], 'initialState'),
    silu: h.silu,
    dy: t(h.dy, [h.batch, h.dInner, h.seqLen], 'dy'),
  };
}

const disposeArgs = (a: CausalConv1dBackwardArgs) => {
  for (const t of [a.x, a.weight, a.bias, a.initialState, a.dy]) t?.dispose();
};
const disposeResult = (r: CausalConv1dBackwardResult) => {
  for (const t of [r.dx, r.dWeight, r.dBias, r.dInitialState]) t?.dispose();
};

async function expectGradients(r: CausalConv1dBackwardResult, h: ReturnType<typeof hostArgs>, label: string) {
  const want = causalConv1dBackwardRef(h);
  expectAllClose(await r.dx.read(), want.dx, { ...TOL, label: `${label} dx` });
  expectAllClose(await r.dWeight.read(), want.dWeight, { ...TOL, label: `${label} dWeight` });
  expect(r.dBias === undefined).toBe(want.dBias === undefined);
  if (want.dBias) expectAllClose(await r.dBias!.read(), want.dBias, { ...TOL, label: `${label} dBias` });
  expect(r.dInitialState === undefined).toBe(want.dInitialState === undefined);
  if (want.dInitialState) {
    expectAllClose(await r.dInitialState!.read(), want.dInitialState, {
      ...TOL,
      label: `${label} dInitialState`,
    });
  }
}

/** Runs one version into poisoned outputs, so any element it leaves unwritten reads as NaN. */
function runPoisoned(
  ctx: GpuContext,
  args: CausalConv1dBackwardArgs,
  kernel: string,
): CausalConv1dBackwardResult {
  const shape = validateConv1dBackward(ctx, args);
  const outputs = allocateConv1dBackwardOutputs(ctx, shape);
  for (const t of [outputs.dx, outputs.dWeight, outputs.dBias, outputs.dInitialState]) t?.poison();
  recordConv1dBackward(ctx, args, shape, outputs, kernel);
  return outputs;
}

// seqLen x width x batch, cycling through the 8 (bias, initial state, SiLU) combinations, with
// dInner never a multiple of a workgroup; then every combination at one shape, a width-column
// initial state and the widest kernel.
const grid: Case[] = [];
for (const seqLen of [1, 2, 3, 37, 333, 2049]) {
  for (const width of [2, 3, 4]) {
    for (const batch of [1, 3]) {
      const combo = grid.length % 8;
      const initWidth = combo & 2 ? width - 1 : 0;
      grid.push({
        batch,
        dInner: [5, 13, 70][grid.length % 3]!,
        seqLen,
        width,
        bias: !!(combo & 1),
        initWidth,
        silu: !!(combo & 4),
      });
    }
  }
}
for (let combo = 0; combo < 8; combo++) {
  grid.push({
    batch: 3,
    dInner: 13,
    seqLen: 37,
    width: 4,
    bias: !!(combo & 1),
    initWidth: combo & 2 ? 3 : 0,
    silu: !!(combo & 4),
  });
}
grid.push({ batch: 2, dInner: 7, seqLen: 600, width: 4, bias: true, initWidth: 4, silu: true });
grid.push({ batch: 2, dInner: 3, seqLen: 2, width: 4, bias: false, initWidth: 4, silu: false });
grid.push({ batch: 1, dInner: 9, seqLen: 1100, width: 8, bias: true, initWidth: 7, silu: true });

describe.each(CONV1D_BACKWARD_KERNELS.map((k) => [k.name]))(
  'causalConv1dBackward %s vs the float64 reference',
  (kernel) => {
    it.each(grid.map((c, i) => [caseName(c), c, i] as const))('%s', async (name, c, i) => {
      const ctx = await testContext();
      const h = hostArgs(c, 7919 * (i + 1));
      const args = upload(ctx, h);
      const result = runPoisoned(ctx, args, kernel);
      await expectGradients(result, h, name);
      await ctx.checkErrors();
      disposeArgs(args);
      disposeResult(result);
    });
  },
);

describe('causalConv1dBackward', () => {
  const oracleRuns: [string, string | undefined][] = [
    ['default', undefined],
    ...CONV1D_BACKWARD_KERNELS.map((k): [string, string] => [k.name, k.name]),
  ];
  it.each(oracleRuns)('%s matches the PyTorch float64 oracle (conv1d_grad_oracle)', async (_, kernel) => {
    const ctx = await testContext();
    const path = fileURLToPath(
      new URL('../../test/fixtures/train/conv1d_grad_oracle.safetensors', import.meta.url),
    );
    const f = readSafetensors(path);
    const t = (name: string) => Tensor.fromArray(ctx, f[name]!.data, f[name]!.shape, 'f32', name);
    const args = {
      x: t('x'),
      weight: t('weight'),
      bias: t('bias'),
      initialState: t('initial_state'),
      silu: true,
      dy: t('dy'),
    };
    const r = causalConv1dBackward(ctx, args, { kernel });
    expectAllClose(await r.dx.read(), f.d_x!.data, { ...TOL, label: 'd_x' });
    expectAllClose(await r.dWeight.read(), f.d_weight!.data, { ...TOL, label: 'd_weight' });
    expectAllClose(await r.dBias!.read(), f.d_bias!.data, { ...TOL, label: 'd_bias' });
    expectAllClose(await r.dInitialState!.read(), f.d_initial_state!.data, {
      ...TOL,
      label: 'd_initial_state',
    });
    await ctx.checkErrors();
    disposeArgs(args);
    disposeResult(r);
  });

  it('gives bitwise identical dWeight and dBias on every run', async () => {
    const ctx = await testContext();
    const h = hostArgs(
      { batch: 3, dInner: 13, seqLen: 2049, width: 4, bias: true, initWidth: 3, silu: true },
      5,
    );
    const args = upload(ctx, h);
    const runs: Uint32Array[][] = [];
    for (let run = 0; run < 3; run++) {
      const r = causalConv1dBackward(ctx, args);
      runs.push([
        new Uint32Array((await r.dWeight.read()).buffer),
        new Uint32Array((await r.dBias!.read()).buffer),
      ]);
      disposeResult(r);
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    disposeArgs(args);
  });

  it('reads strided x and dy through one contiguous copy each, and leaks no buffer', async () => {
    const ctx = await testContext();
    const c: Case = { batch: 2, dInner: 6, seqLen: 41, width: 3, bias: true, initWidth: 2, silu: true };
    const h = hostArgs(c, 11);
    const args = upload(ctx, h);
    // Token-major (batch, seqLen, dInner) storage viewed as (batch, dInner, seqLen).
    const tokenMajor = (data: ArrayLike<number>) => {
      const out = new Float32Array(data.length);
      for (let b = 0; b < c.batch; b++)
        for (let d = 0; d < c.dInner; d++)
          for (let t = 0; t < c.seqLen; t++)
            out[(b * c.seqLen + t) * c.dInner + d] = data[(b * c.dInner + d) * c.seqLen + t]!;
      return Tensor.fromArray(ctx, out, [c.batch, c.seqLen, c.dInner], 'f32', 'token-major');
    };
    using xBase = tokenMajor(h.x);
    using dyBase = tokenMajor(h.dy);
    using x = xBase.transpose(1, 2);
    using dy = dyBase.transpose(1, 2);
    const before = ctx.stats().liveBuffers;
    const r = causalConv1dBackward(ctx, { ...args, x, dy });
    await expectGradients(r, h, 'strided');
    disposeResult(r);
    expect(ctx.stats().liveBuffers).toBe(before);
    disposeArgs(args);
  });

  it('rejects bad arguments with typed errors before any GPU work', async () => {
    const ctx = await testContext();
    using x = Tensor.empty(ctx, [2, 4, 10], 'f32', 'x');
    using dy = Tensor.empty(ctx, [2, 4, 10], 'f32', 'dy');
    using weight = Tensor.empty(ctx, [4, 3], 'f32', 'weight');
    using w9 = Tensor.empty(ctx, [4, 9], 'f32');
    using w5 = Tensor.empty(ctx, [5, 3], 'f32');
    using bias3 = Tensor.empty(ctx, [3], 'f32');
    using state = Tensor.empty(ctx, [2, 4, 5], 'f32');
    using dyShort = Tensor.empty(ctx, [2, 4, 9], 'f32');
    using xHalf = Tensor.empty(ctx, [2, 4, 10], 'f16');
    using x2d = Tensor.empty(ctx, [4, 10], 'f32');
    const gone = Tensor.empty(ctx, [2, 4, 10], 'f32', 'gone');
    gone.dispose();
    const bad: [Partial<CausalConv1dBackwardArgs>, string, string][] = [
      [
        { x: x2d },
        'ShapeError',
        'causalConv1dBackward: x must be (batch, dInner, seqLen) with sizes >= 1, got (4, 10)',
      ],
      [{ x: xHalf }, 'DTypeError', 'causalConv1dBackward: x must be f32, got f16'],
      [{ x: gone }, 'DisposedError', "causalConv1dBackward: x ('gone') was disposed"],
      [
        { weight: w5 },
        'ShapeError',
        'causalConv1dBackward: weight must be (dInner, width) = (4, *), got (5, 3)',
      ],
      [{ weight: w9 }, 'LimitError', 'causalConv1dBackward: width must be in 2..8, got 9'],
      [{ bias: bias3 }, 'ShapeError', 'causalConv1dBackward: bias must be (dInner) = (4), got (3)'],
      [
        { initialState: state },
        'ShapeError',
        'causalConv1dBackward: initialState must be (batch, dInner, width - 1) = (2, 4, 2), got (2, 4, 5)',
      ],
      [
        { dy: dyShort },
        'ShapeError',
        'causalConv1dBackward: dy must be (batch, dInner, seqLen) = (2, 4, 10), got (2, 4, 9)',
      ],
      [{ dy: undefined }, 'InvalidArgumentError', 'causalConv1dBackward: dy must be a Tensor, got undefined'],
      [
        { silu: 1 as unknown as boolean },
        'InvalidArgumentError',
        'causalConv1dBackward: silu must be a boolean, got 1',
      ],
    ];
    const before = { dispatches: ctx.dispatchCount, live: ctx.stats().liveBuffers };
    for (const [override, name, message] of bad) {
      const call = () =>
        causalConv1dBackward(ctx, { x, weight, dy, ...override } as CausalConv1dBackwardArgs);
      expect(call).toThrow(expect.objectContaining({ name, message }));
    }
    expect(() => causalConv1dBackward(ctx, { x, weight, dy }, { kernel: 'v0-none' })).toThrow(
      /^causalConv1dBackward: no kernel named v0-none; have v1-time-tiles/,
    );
    expect({ dispatches: ctx.dispatchCount, live: ctx.stats().liveBuffers }).toEqual(before);
  });
});
