// The float64 oracles of ../shared/fixtures (official `selective_scan_ref`, delta_softplus=True),
// through selectiveScan and through every registered kernel.
import { fileURLToPath } from 'node:url';
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, it } from 'vitest';
import { selectiveScan } from '../src/index.js';
import { SCAN_KERNELS } from '../src/selective-scan/kernels.js';
import { selectiveScanWith } from '../src/selective-scan/selective-scan.js';
import { testContext } from './gpu.js';
import { type FixtureTensor, readSafetensors } from './safetensors.js';

const FIXTURES = ['scan_oracle', 'scan_oracle_long'];

function upload(ctx: GpuContext, f: Record<string, FixtureTensor>) {
  const t = (name: string) => Tensor.fromArray(ctx, f[name]!.data, f[name]!.shape, 'f32', name);
  return {
    u: t('u'),
    delta: t('delta'),
    A: t('A'),
    B: t('B'),
    C: t('C'),
    D: t('D'),
    z: t('z'),
    deltaBias: t('delta_bias'),
    deltaSoftplus: true,
  };
}

describe.each(FIXTURES)('oracle %s', (name) => {
  const path = fileURLToPath(new URL(`./fixtures/${name}.safetensors`, import.meta.url));
  const fixture = readSafetensors(path);
  const kernels = [['selectiveScan', undefined] as const, ...SCAN_KERNELS.map((k) => [k.name, k] as const)];
  it.each(kernels)('%s matches y and last_state', async (_, kernel) => {
    const ctx = await testContext();
    const args = upload(ctx, fixture);
    const { y, lastState } = kernel ? selectiveScanWith(ctx, args, { kernel }) : selectiveScan(ctx, args);
    expectAllClose(await y.read(), fixture.y!.data, { ...TOLERANCES.f32, label: `${name} y` });
    expectAllClose(await lastState.read(), fixture.last_state!.data, {
      ...TOLERANCES.f32,
      label: `${name} last_state`,
    });
    await ctx.checkErrors();
    for (const t of Object.values(args)) if (t instanceof Tensor) t.dispose();
    y.dispose();
    lastState.dispose();
  });
});
