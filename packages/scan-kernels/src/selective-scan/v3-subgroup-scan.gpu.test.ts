// v3-subgroup-scan's chain without subgroups (the path of devices that lack them), on a context
// created with subgroups disabled, against the CPU reference; the subgroup path runs in the
// registry-wide tests of selective-scan.gpu.test.ts.
import { type GpuContext, createGpuContext } from '@mamba-webgpu/tensor';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type CaseOptions, disposeAll, randomScan, uploadScan } from '../../test/scan-data.js';
import { prepareScan, selectiveScan } from './selective-scan.js';
import { selectiveScanRef } from './selective-scan-ref.js';
import { v3SubgroupScan } from './v3-subgroup-scan.js';

const ALL: CaseOptions = { D: true, z: true, deltaBias: true, deltaSoftplus: true, initialState: true };

const GRID: [number, number, number, number, CaseOptions][] = [
  [1, 8, 1, 16, ALL],
  [3, 8, 37, 1, { z: true }],
  [3, 4, 333, 64, { D: true, z: true, initialState: true }],
  [2, 6, 333, 20, { deltaBias: true, deltaSoftplus: true }],
  [3, 4, 2049, 16, ALL],
  [1, 3, 4133, 16, { D: true, deltaBias: true, deltaSoftplus: true, initialState: true }],
  [1, 5, 300, 256, { D: true, z: true }],
  [2, 8, 100, 16, { ...ALL, bc: 'tokens' }],
  [2, 8, 100, 16, { ...ALL, bc: { dtRank: 4 }, tokenMajor: true }],
];

describe('v3-subgroup-scan without subgroups vs CPU reference', () => {
  let ctx: GpuContext | undefined;
  const context = async () => {
    ctx ??= await createGpuContext({ disableFeatures: ['subgroups'] });
    return ctx;
  };
  afterAll(() => ctx?.dispose());

  it.each(GRID.map((entry) => [entry.slice(0, 4).join(','), entry] as const))('(%s)', async (_, entry) => {
    const gpu = await context();
    expect(gpu.features.subgroups).toBe(false);
    const [batch, dInner, seqLen, dState, options] = entry;
    const host = randomScan(2000 + seqLen + dState, batch, dInner, seqLen, dState, options);
    const { args, owned } = uploadScan(gpu, host, options);
    const probe = prepareScan(gpu, 'test', { ...args, initialState: undefined });
    expect(v3SubgroupScan.supports(probe)).toBe(true);
    if (probe.y !== args.yOut) probe.y.dispose();
    probe.lastState.dispose();
    const { y, lastState } = selectiveScan(gpu, { ...args, kernel: v3SubgroupScan.name });
    const expected = selectiveScanRef(host);
    expectAllClose(await y.read(), expected.y, { ...TOLERANCES.f32, label: 'v3 shared y' });
    expectAllClose(await lastState.read(), expected.lastState, {
      ...TOLERANCES.f32,
      label: 'v3 shared lastState',
    });
    await gpu.checkErrors();
    disposeAll(owned);
    y.dispose();
    lastState.dispose();
  });
});
