// Every registered scan kernel against the CPU reference on seeded grids (awkward seqLen, batch 1
// and 3, dState 1/16/64/20/256, with and without D, z, deltaBias, initialState), with operands as
// plain tensors and as the views a model passes: B/C as slices of x_proj's rows (aligned: read in
// place; unaligned: packed), u/z as slices of in_proj's output, token-major delta and y, and a
// transposed A that needs a contiguous copy.
import { Tensor } from '@mamba-webgpu/tensor';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { type CaseOptions, disposeAll, randomScan, uploadScan } from '../../test/scan-data.js';
import { SCAN_KERNELS } from './kernels.js';
import { planScan, prepareScan, selectiveScan } from './selective-scan.js';
import { selectiveScanRef } from './selective-scan-ref.js';
import type { ScanKernelVersion, SelectiveScanArgs } from './types.js';

const ALL: CaseOptions = { D: true, z: true, deltaBias: true, deltaSoftplus: true, initialState: true };

// [batch, dInner, seqLen, dState, options]; dInner kept small where seqLen is large (lavapipe).
const GRID: [number, number, number, number, CaseOptions][] = [
  [1, 8, 1, 16, ALL],
  [3, 8, 1, 1, {}],
  [3, 8, 37, 16, ALL],
  [1, 16, 37, 64, { D: true }],
  [1, 16, 333, 1, { z: true }],
  [3, 4, 333, 64, { D: true, z: true, initialState: true }],
  [2, 6, 333, 20, { deltaBias: true, deltaSoftplus: true }],
  [1, 8, 2048, 16, { deltaBias: true, deltaSoftplus: true }],
  [3, 4, 2049, 16, ALL],
  [1, 3, 4133, 16, { D: true, z: true, deltaBias: true, deltaSoftplus: true }],
  [1, 2, 4133, 64, { initialState: true }],
  [1, 5, 300, 256, { D: true, z: true }],
  // Views.
  [2, 8, 100, 16, { ...ALL, bc: 'tokens' }],
  [1, 4, 50, 64, { initialState: true, bc: 'tokens' }],
  [2, 8, 100, 8, { D: true, bc: { dtRank: 4 } }],
  [1, 4, 50, 20, { z: true, bc: { dtRank: 3 } }],
  [3, 8, 333, 16, { ...ALL, bc: { dtRank: 48 }, tokenMajor: true }],
  [1, 6, 37, 16, { D: true, z: true, deltaSoftplus: true, tokenMajor: true }],
  [2, 6, 37, 16, { D: true, z: true, tokenMajor: true, transposedA: true }],
];

function caseName([b, d, l, n, o]: (typeof GRID)[number]): string {
  const flags = Object.entries(o)
    .filter(([, v]) => v)
    .map(([k, v]) =>
      k === 'bc'
        ? v === 'tokens'
          ? 'B/C tokens'
          : `B/C x_proj rows dtRank ${(v as { dtRank: number }).dtRank}`
        : k,
    )
    .join(',');
  return `(${b},${d},${l},${n})${flags ? ` ${flags}` : ''}`;
}

/** Whether `kernel` runs the problem of `args` in place (a probe: its outputs are disposed). */
function supportsInPlace(kernel: ScanKernelVersion, args: SelectiveScanArgs): boolean {
  const problem = prepareScan(args.u.ctx, 'test', { ...args, initialState: undefined });
  const ok = kernel.supports(problem);
  if (problem.y !== args.yOut) problem.y.dispose();
  problem.lastState.dispose();
  return ok;
}

describe.each(SCAN_KERNELS.map((k) => [k.name, k] as const))(
  'selective scan %s vs CPU reference',
  (_, kernel) => {
    GRID.forEach((entry, i) => {
      it(caseName(entry), async () => {
        const ctx = await testContext();
        const [batch, dInner, seqLen, dState, options] = entry;
        const host = randomScan(1000 + i, batch, dInner, seqLen, dState, options);
        const { args, owned } = uploadScan(ctx, host, options);
        // Views are read in place; only the transposed A needs a copy.
        expect(supportsInPlace(kernel, args)).toBe(!options.transposedA);
        const { y, lastState } = selectiveScan(ctx, { ...args, kernel: kernel.name });
        const expected = selectiveScanRef(host);
        expectAllClose(await y.read(), expected.y, { ...TOLERANCES.f32, label: `${kernel.name} y` });
        expectAllClose(await lastState.read(), expected.lastState, {
          ...TOLERANCES.f32,
          label: `${kernel.name} lastState`,
        });
        await ctx.checkErrors();
        disposeAll(owned);
        y.dispose();
        lastState.dispose();
      });
    });
  },
);

describe('selectiveScan', () => {
  it('writes every output element (outputs poisoned by the pool are overwritten)', async () => {
    const ctx = await testContext();
    // A poisoned buffer released to the pool is what the next allocation of that size gets.
    const host = randomScan(7, 2, 8, 91, 16, ALL);
    const poisonY = Tensor.empty(ctx, [2, 8, 91], 'f32').poison();
    const poisonState = Tensor.empty(ctx, [2, 8, 16], 'f32').poison();
    await ctx.sync();
    poisonY.dispose();
    poisonState.dispose();
    const { args, owned } = uploadScan(ctx, host);
    const { y, lastState } = selectiveScan(ctx, args);
    const expected = selectiveScanRef(host);
    expectAllClose(await y.read(), expected.y, TOLERANCES.f32);
    expectAllClose(await lastState.read(), expected.lastState, TOLERANCES.f32);
    await ctx.checkErrors();
    disposeAll(owned);
    y.dispose();
    lastState.dispose();
  });

  it('picks v1-sequential on a CPU adapter and v2-chunked on a GPU', async () => {
    const ctx = await testContext();
    const options = { ...ALL, bc: { dtRank: 48 }, tokenMajor: true } as const;
    const { args, owned } = uploadScan(ctx, randomScan(12, 2, 8, 64, 16, options), options);
    const problem = prepareScan(ctx, 'test', args);
    const temporaries: Tensor[] = [];
    const plan = planScan('test', problem, undefined, temporaries);
    expect(plan.kernel.name).toBe(ctx.adapter.isCpu ? 'v1-sequential' : 'v2-chunked');
    expect(temporaries).toEqual([]);
    problem.lastState.dispose();
    disposeAll(owned);
  });

  it("v2-chunked records the model's layouts as one dispatch: no copy, no packing", async () => {
    const ctx = await testContext();
    const count = (options: CaseOptions) => {
      const { args, owned } = uploadScan(ctx, randomScan(11, 2, 8, 64, 16, options), options);
      const before = ctx.dispatchCount;
      const { y, lastState } = selectiveScan(ctx, { ...args, kernel: 'v2-chunked' });
      const dispatches = ctx.dispatchCount - before;
      lastState.dispose();
      if (y !== args.yOut) y.dispose();
      disposeAll(owned);
      return dispatches;
    };
    const model = { ...ALL, bc: { dtRank: 48 }, tokenMajor: true } as const;
    expect(count(model)).toBe(1);
    expect(count({ ...model, bc: { dtRank: 3 } })).toBe(2); // unaligned rows: packed first
    expect(count({ ...model, transposedA: true })).toBe(2); // A copied first
    await ctx.checkErrors();
  });

  it('leaks no buffer: live buffers unchanged after a scan whose outputs are disposed', async () => {
    const ctx = await testContext();
    const options = { ...ALL, transposedA: true, bc: { dtRank: 3 } };
    const { args, owned } = uploadScan(ctx, randomScan(8, 1, 8, 64, 16, options), options);
    const warm = selectiveScan(ctx, args);
    warm.y.dispose();
    warm.lastState.dispose();
    await ctx.sync();
    const before = ctx.stats().liveBuffers;
    for (let i = 0; i < 5; i++) {
      const { y, lastState } = selectiveScan(ctx, args);
      y.dispose();
      lastState.dispose();
    }
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(before);
    disposeAll(owned);
  });

  it('rejects bad shapes, dtypes, limits and outputs with typed errors', async () => {
    const ctx = await testContext();
    const { args, owned } = uploadScan(ctx, randomScan(9, 2, 4, 37, 16));
    using badB = Tensor.empty(ctx, [2, 8], 'f32');
    expect(() => selectiveScan(ctx, { ...args, B: badB })).toThrow(
      'selectiveScan: B must be (batch, dState, seqLen) = (2, 16, 37), got (2, 8)',
    );
    using intDelta = Tensor.empty(ctx, [2, 4, 37], 'i32');
    expect(() => selectiveScan(ctx, { ...args, delta: intDelta })).toThrow(
      expect.objectContaining({ name: 'DTypeError' }),
    );
    using bigA = Tensor.empty(ctx, [4, 257], 'f32');
    expect(() => selectiveScan(ctx, { ...args, A: bigA })).toThrow(
      expect.objectContaining({ name: 'LimitError' }),
    );
    using badD = Tensor.empty(ctx, [5], 'f32');
    expect(() => selectiveScan(ctx, { ...args, D: badD })).toThrow(
      'selectiveScan: D must be (dInner) = (4), got (5)',
    );
    expect(() => selectiveScan(ctx, { ...args, u: undefined as never })).toThrow(
      expect.objectContaining({ name: 'InvalidArgumentError' }),
    );
    // Outputs: y may not alias an input; the last state must be plain.
    using uy = args.u.reshape(args.u.shape);
    expect(() => selectiveScan(ctx, { ...args, yOut: uy })).toThrow(
      'selectiveScan: yOut must not share memory with an input',
    );
    using states = Tensor.empty(ctx, [4, 4, 16], 'f32');
    using stateRows = states.slice(0, 1, 3);
    expect(() => selectiveScan(ctx, { ...args, lastStateOut: stateRows })).toThrow(
      expect.objectContaining({ name: 'LayoutError' }),
    );
    expect(() => selectiveScan(ctx, { ...args, kernel: 'v9' })).toThrow(/no kernel named v9/);
    disposeAll(owned);
    await ctx.checkErrors();
  });
});
