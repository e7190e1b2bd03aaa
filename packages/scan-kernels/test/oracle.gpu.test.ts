// The float64 oracles of ../shared/fixtures (official `selective_scan_ref`, delta_softplus=True),
// through selectiveScan and through every registered kernel, with plain operands and with the
// views a model passes (B/C as slices of x_proj-like rows, u/z as slices of an in_proj-like
// output, token-major delta and y).
import { fileURLToPath } from 'node:url';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, it } from 'vitest';
import { type SelectiveScanRefArgs, selectiveScan } from '../src/index.js';
import { SCAN_KERNELS } from '../src/selective-scan/kernels.js';
import { testContext } from './gpu.js';
import { type ScanLayout, disposeAll, uploadScan } from './scan-data.js';
import { type FixtureTensor, readSafetensors } from './safetensors.js';

const FIXTURES = ['scan_oracle', 'scan_oracle_long'];
const LAYOUTS: [string, ScanLayout][] = [
  ['plain', {}],
  ['views', { bc: { dtRank: 4 }, tokenMajor: true }],
];

/** The fixture as host arguments (u: (batch, dInner, seqLen), A: (dInner, dState)). */
function hostArgs(f: Record<string, FixtureTensor>): SelectiveScanRefArgs {
  const [batch, dInner, seqLen] = f.u!.shape as [number, number, number];
  return {
    batch,
    dInner,
    seqLen,
    dState: f.A!.shape[1]!,
    u: f.u!.data,
    delta: f.delta!.data,
    A: f.A!.data,
    B: f.B!.data,
    C: f.C!.data,
    D: f.D!.data,
    z: f.z!.data,
    deltaBias: f.delta_bias!.data,
    deltaSoftplus: true,
  };
}

describe.each(FIXTURES)('oracle %s', (name) => {
  const path = fileURLToPath(new URL(`./fixtures/${name}.safetensors`, import.meta.url));
  const fixture = readSafetensors(path);
  const kernels = [
    ['selectiveScan', undefined] as const,
    ...SCAN_KERNELS.map((k) => [k.name, k.name] as const),
  ];
  const cases = LAYOUTS.flatMap(([layoutName, layout]) =>
    kernels.map(([kernelName, kernel]) => [`${kernelName} (${layoutName})`, kernel, layout] as const),
  );
  it.each(cases)('%s matches y and last_state', async (_, kernel, layout) => {
    const ctx = await testContext();
    const { args, owned } = uploadScan(ctx, hostArgs(fixture), layout);
    const { y, lastState } = selectiveScan(ctx, { ...args, kernel });
    expectAllClose(await y.read(), fixture.y!.data, { ...TOLERANCES.f32, label: `${name} y` });
    expectAllClose(await lastState.read(), fixture.last_state!.data, {
      ...TOLERANCES.f32,
      label: `${name} last_state`,
    });
    await ctx.checkErrors();
    disposeAll(owned);
    y.dispose();
    lastState.dispose();
  });
});
