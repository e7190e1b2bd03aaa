// Seeded random scan problems (host arrays) shaped like Mamba's: A = -exp(A_log) with
// A_log ~ log(1..dState), delta around softplus range, and helpers to upload them.
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import type { SelectiveScanRefArgs } from '../src/index.js';
import type { SelectiveScanArgs } from '../src/selective-scan/types.js';

export interface CaseOptions {
  D?: boolean;
  z?: boolean;
  deltaBias?: boolean;
  deltaSoftplus?: boolean;
  initialState?: boolean;
  bcLayout?: 'bnl' | 'bln';
}

export function randomScan(
  seed: number,
  batch: number,
  dInner: number,
  seqLen: number,
  dState: number,
  options: CaseOptions = {},
): SelectiveScanRefArgs {
  const rng = new SeededRandom(seed);
  const bdl = batch * dInner * seqLen;
  const A = new Float32Array(dInner * dState);
  for (let d = 0; d < dInner; d++) {
    for (let n = 0; n < dState; n++) A[d * dState + n] = -(n + 1) * rng.uniform(0.5, 1.5);
  }
  const softplus = options.deltaSoftplus ?? false;
  return {
    batch,
    dInner,
    seqLen,
    dState,
    u: rng.array(bdl),
    delta: rng.array(bdl, () => (softplus ? rng.uniform(-4, 1) : rng.uniform(0.001, 0.2))),
    A,
    B: rng.array(batch * dState * seqLen),
    C: rng.array(batch * dState * seqLen),
    D: options.D ? rng.array(dInner) : undefined,
    z: options.z ? rng.array(bdl) : undefined,
    deltaBias: options.deltaBias ? rng.array(dInner, () => rng.uniform(-1, 0.5)) : undefined,
    deltaSoftplus: softplus,
    initialState: options.initialState ? rng.array(batch * dInner * dState) : undefined,
    bcLayout: options.bcLayout ?? 'bnl',
  };
}

/** Uploads a host problem; the returned tensors must be disposed (see `disposeArgs`). */
export function uploadScan(ctx: GpuContext, a: SelectiveScanRefArgs): SelectiveScanArgs {
  const { batch, dInner, seqLen, dState } = a;
  const bc = a.bcLayout === 'bln' ? [batch, seqLen, dState] : [batch, dState, seqLen];
  const up = (data: ArrayLike<number> | undefined, shape: number[], label: string) =>
    data ? Tensor.fromArray(ctx, data, shape, 'f32', label) : undefined;
  return {
    u: up(a.u, [batch, dInner, seqLen], 'u')!,
    delta: up(a.delta, [batch, dInner, seqLen], 'delta')!,
    A: up(a.A, [dInner, dState], 'A')!,
    B: up(a.B, bc, 'B')!,
    C: up(a.C, bc, 'C')!,
    D: up(a.D, [dInner], 'D'),
    z: up(a.z, [batch, dInner, seqLen], 'z'),
    deltaBias: up(a.deltaBias, [dInner], 'deltaBias'),
    deltaSoftplus: a.deltaSoftplus,
    initialState: up(a.initialState, [batch, dInner, dState], 'initialState'),
  };
}

export function disposeArgs(args: SelectiveScanArgs): void {
  for (const t of [
    args.u,
    args.delta,
    args.A,
    args.B,
    args.C,
    args.D,
    args.z,
    args.deltaBias,
    args.initialState,
  ]) {
    t?.dispose();
  }
}
