// Every registered scan kernel against the CPU reference on seeded grids (awkward seqLen, batch 1
// and 3, dState 1/16/64/20/256, with and without D, z, deltaBias, initialState, both B/C layouts).
import { Tensor } from '@mamba-webgpu/tensor';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { type CaseOptions, disposeArgs, randomScan, uploadScan } from '../../test/scan-data.js';
import { SCAN_KERNELS } from './kernels.js';
import { runScanKernel, selectiveScan } from './selective-scan.js';
import { selectiveScanRef } from './selective-scan-ref.js';
import { validateScan } from './validate.js';

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
  [2, 8, 100, 16, { ...ALL, bcLayout: 'bln' }],
  [2, 8, 100, 8, { D: true, bcLayout: 'bln' }],
  [1, 4, 50, 20, { z: true, bcLayout: 'bln' }],
  [1, 4, 50, 64, { initialState: true, bcLayout: 'bln' }],
];

function caseName([b, d, l, n, o]: (typeof GRID)[number]): string {
  const flags = Object.entries(o)
    .filter(([, v]) => v)
    .map(([k, v]) => (k === 'bcLayout' ? String(v) : k))
    .join(',');
  return `(${b},${d},${l},${n})${flags ? ` ${flags}` : ''}`;
}

describe.each(SCAN_KERNELS.map((k) => [k.name, k] as const))(
  'selective scan %s vs CPU reference',
  (_, kernel) => {
    GRID.forEach((entry, i) => {
      it(caseName(entry), async () => {
        const ctx = await testContext();
        const [batch, dInner, seqLen, dState, options] = entry;
        const host = randomScan(1000 + i, batch, dInner, seqLen, dState, options);
        const args = uploadScan(ctx, host);
        const problem = validateScan(ctx, 'test', args, options.bcLayout ?? 'bnl');
        expect(kernel.supports(ctx, problem)).toBe(true);
        const { y, lastState } = runScanKernel(ctx, kernel, problem);
        const expected = selectiveScanRef(host);
        expectAllClose(await y.read(), expected.y, { ...TOLERANCES.f32, label: `${kernel.name} y` });
        expectAllClose(await lastState.read(), expected.lastState, {
          ...TOLERANCES.f32,
          label: `${kernel.name} lastState`,
        });
        await ctx.checkErrors();
        disposeArgs(args);
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
    const args = uploadScan(ctx, host);
    const { y, lastState } = selectiveScan(ctx, args);
    const expected = selectiveScanRef(host);
    expectAllClose(await y.read(), expected.y, TOLERANCES.f32);
    expectAllClose(await lastState.read(), expected.lastState, TOLERANCES.f32);
    await ctx.checkErrors();
    disposeArgs(args);
    y.dispose();
    lastState.dispose();
  });

  it('leaks no buffer: live buffers unchanged after a scan whose outputs are disposed', async () => {
    const ctx = await testContext();
    const host = randomScan(8, 1, 8, 64, 16, ALL);
    const args = uploadScan(ctx, host);
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
    disposeArgs(args);
  });

  it('rejects bad shapes, dtypes and limits with typed errors', async () => {
    const ctx = await testContext();
    const host = randomScan(9, 2, 4, 37, 16);
    const args = uploadScan(ctx, host);
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
    disposeArgs(args);
  });
});
