// Test data of the training scan (used by the *.test.ts files only): a seeded problem with upstream
// gradients, its upload, and the comparison of GPU gradients against the float64 reference.

import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom, TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { type CaseOptions, randomScan, uploadScan } from '../../test/scan-data.js';
import {
  type SelectiveScanBackwardRefArgs,
  selectiveScanBackwardRef,
} from './selective-scan-backward-ref.js';
import type { SelectiveScanBackwardArgs, SelectiveScanGrads } from './types.js';

export interface BackwardCase extends CaseOptions {
  dLastState?: boolean;
}

/** A seeded problem (as `randomScan`) with dy and, on request, dLastState. */
export function randomBackward(
  seed: number,
  [batch, dInner, seqLen, dState]: readonly [number, number, number, number],
  options: BackwardCase,
): SelectiveScanBackwardRefArgs {
  const base = randomScan(seed, batch, dInner, seqLen, dState, options);
  const rng = new SeededRandom(seed + 7919);
  return {
    ...base,
    dy: rng.array(batch * dInner * seqLen),
    dLastState: options.dLastState ? rng.array(batch * dInner * dState) : undefined,
  };
}

/** Tensors uploadBackward made for each args object (disposed by disposeBackwardArgs). */
const owners = new WeakMap<SelectiveScanBackwardArgs, Tensor[]>();

/** Uploads a host problem; dispose the tensors with `disposeBackwardArgs`. */
export function uploadBackward(ctx: GpuContext, a: SelectiveScanBackwardRefArgs): SelectiveScanBackwardArgs {
  const { batch, dInner, seqLen, dState } = a;
  const { args, owned } = uploadScan(ctx, a);
  const out: SelectiveScanBackwardArgs = {
    ...args,
    dy: Tensor.fromArray(ctx, a.dy, [batch, dInner, seqLen], 'f32', 'dy'),
    dLastState: a.dLastState
      ? Tensor.fromArray(ctx, a.dLastState, [batch, dInner, dState], 'f32', 'dLastState')
      : undefined,
  };
  owners.set(out, owned);
  return out;
}

export function disposeBackwardArgs(args: SelectiveScanBackwardArgs): void {
  for (const t of owners.get(args) ?? []) t.dispose();
  args.dy.dispose();
  args.dLastState?.dispose();
}

export const GRAD_NAMES = [
  'du',
  'dDelta',
  'dA',
  'dB',
  'dC',
  'dD',
  'dz',
  'dDeltaBias',
  'dInitialState',
] as const;

/** Reads every gradient present (Float32Array per name). */
export async function readGrads(grads: SelectiveScanGrads): Promise<Record<string, Float32Array>> {
  const out: Record<string, Float32Array> = {};
  for (const name of GRAD_NAMES) {
    const t = grads[name];
    if (t) out[name] = (await t.read()) as Float32Array;
  }
  return out;
}

export function disposeGrads(grads: SelectiveScanGrads): void {
  for (const name of GRAD_NAMES) grads[name]?.dispose();
}

/** Checks GPU gradients against the float64 reference: the same set, each within f32 tolerances. */
export function expectGradsClose(
  actual: Record<string, Float32Array>,
  host: SelectiveScanBackwardRefArgs,
  label: string,
) {
  const expected = selectiveScanBackwardRef(host) as unknown as Record<string, Float64Array | undefined>;
  const names = GRAD_NAMES.filter((n) => expected[n]);
  if (Object.keys(actual).sort().join() !== [...names].sort().join()) {
    throw new Error(
      `${label}: gradients ${Object.keys(actual).sort().join()} != expected ${[...names].sort().join()}`,
    );
  }
  for (const name of names) {
    expectAllClose(actual[name]!, expected[name]!, { ...TOLERANCES.f32, label: `${label} ${name}` });
  }
}
