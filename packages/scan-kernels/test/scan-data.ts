// Seeded random scan problems (host arrays) shaped like Mamba's: A = -exp(A_log) with
// A_log ~ log(1..dState), delta around softplus range, and helpers to upload them, plain or as the
// strided views a model passes (B/C as slices of x_proj's rows, u/z as slices of in_proj's
// output, token-major delta and y, a transposed A that needs a copy).
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { SeededRandom } from '@mamba-webgpu/tensor/testing';
import type { SelectiveScanRefArgs } from '../src/index.js';
import type { SelectiveScanArgs } from '../src/selective-scan/types.js';

/** How the operands are laid out on the GPU (the logical shapes never change). */
export interface ScanLayout {
  /**
   * B and C: `tokens` = views of (batch, seqLen, dState) tensors; `{ dtRank }` = column slices of
   * one (batch, seqLen, dtRank + 2*dState) tensor [dt | B | C], as x_proj writes them.
   */
  bc?: 'tokens' | { dtRank: number };
  /**
   * u and z as slices of one token-major (batch, seqLen, 2*dInner) tensor [u | z] (as in_proj
   * writes x and z), delta token-major (batch, seqLen, dInner), y written into a token-major view.
   */
  tokenMajor?: boolean;
  /** A as the transpose of a (dState, dInner) tensor: no kernel reads it in place. */
  transposedA?: boolean;
}

export interface CaseOptions extends ScanLayout {
  D?: boolean;
  z?: boolean;
  deltaBias?: boolean;
  deltaSoftplus?: boolean;
  initialState?: boolean;
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
  };
}

/**
 * (rows, cols) laid into a row-major (outer, inner, width) host array at column `column`:
 * `out[(o * inner + i) * width + column + c] = data[(o * cols + c) * inner + i]`, i.e. each
 * (outer) block of `data` transposed into columns [column, column + cols) of the rows.
 */
function intoColumns(
  out: Float32Array,
  data: ArrayLike<number>,
  outer: number,
  cols: number,
  inner: number,
  width: number,
  column: number,
): void {
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < cols; c++)
      for (let i = 0; i < inner; i++)
        out[(o * inner + i) * width + column + c] = data[(o * cols + c) * inner + i]!;
}

/** Uploaded scan arguments and every tensor to dispose afterwards (bases and views). */
export interface UploadedScan {
  args: SelectiveScanArgs;
  owned: Tensor[];
}

/**
 * Uploads a host problem in `layout`: plain tensors, or views of larger tensors holding the same
 * logical values (poisoned filler elsewhere, so a kernel reading past its view fails). With
 * `tokenMajor`, `args.yOut` is a token-major view whose `read()` gives y in (batch, dInner, seqLen).
 */
export function uploadScan(ctx: GpuContext, a: SelectiveScanRefArgs, layout: ScanLayout = {}): UploadedScan {
  const { batch, dInner, seqLen, dState } = a;
  const owned: Tensor[] = [];
  const own = <T extends Tensor>(t: T): T => {
    owned.push(t);
    return t;
  };
  const up = (data: ArrayLike<number>, shape: number[], label: string) =>
    own(Tensor.fromArray(ctx, data, shape, 'f32', label));
  const filler = (n: number) => new Float32Array(n).fill(Number.NaN);
  const bdl = [batch, dInner, seqLen];
  const args: SelectiveScanArgs = {
    u: undefined as unknown as Tensor,
    delta: undefined as unknown as Tensor,
    A: undefined as unknown as Tensor,
    B: undefined as unknown as Tensor,
    C: undefined as unknown as Tensor,
    D: a.D ? up(a.D, [dInner], 'D') : undefined,
    deltaBias: a.deltaBias ? up(a.deltaBias, [dInner], 'deltaBias') : undefined,
    deltaSoftplus: a.deltaSoftplus,
    initialState: a.initialState ? up(a.initialState, [batch, dInner, dState], 'initialState') : undefined,
  };
  if (layout.tokenMajor) {
    // [u | z] as in_proj's (batch, seqLen, 2*dInner) output; delta and y (batch, seqLen, dInner).
    const xz = filler(batch * seqLen * 2 * dInner);
    intoColumns(xz, a.u, batch, dInner, seqLen, 2 * dInner, 0);
    if (a.z) intoColumns(xz, a.z, batch, dInner, seqLen, 2 * dInner, dInner);
    const xzT = own(up(xz, [batch, seqLen, 2 * dInner], 'xz').transpose(1, 2));
    args.u = own(xzT.slice(1, 0, dInner));
    args.z = a.z ? own(xzT.slice(1, dInner, 2 * dInner)) : undefined;
    const deltaTokens = new Float32Array(batch * seqLen * dInner);
    intoColumns(deltaTokens, a.delta, batch, dInner, seqLen, dInner, 0);
    args.delta = own(up(deltaTokens, [batch, seqLen, dInner], 'delta-tokens').transpose(1, 2));
    const yTokens = own(Tensor.empty(ctx, [batch, seqLen, dInner], 'f32', 'y-tokens').poison());
    args.yOut = own(yTokens.transpose(1, 2));
  } else {
    args.u = up(a.u, bdl, 'u');
    args.delta = up(a.delta, bdl, 'delta');
    args.z = a.z ? up(a.z, bdl, 'z') : undefined;
  }
  if (layout.bc === 'tokens') {
    for (const name of ['B', 'C'] as const) {
      const tokens = new Float32Array(batch * seqLen * dState);
      intoColumns(tokens, a[name], batch, dState, seqLen, dState, 0);
      args[name] = own(up(tokens, [batch, seqLen, dState], `${name}-tokens`).transpose(1, 2));
    }
  } else if (layout.bc) {
    const { dtRank } = layout.bc;
    const width = dtRank + 2 * dState;
    const rows = filler(batch * seqLen * width);
    intoColumns(rows, a.B, batch, dState, seqLen, width, dtRank);
    intoColumns(rows, a.C, batch, dState, seqLen, width, dtRank + dState);
    const rowsT = own(up(rows, [batch, seqLen, width], 'x-proj-rows').transpose(1, 2));
    args.B = own(rowsT.slice(1, dtRank, dtRank + dState));
    args.C = own(rowsT.slice(1, dtRank + dState, width));
  } else {
    args.B = up(a.B, [batch, dState, seqLen], 'B');
    args.C = up(a.C, [batch, dState, seqLen], 'C');
  }
  if (layout.transposedA) {
    const at = new Float32Array(dState * dInner);
    intoColumns(at, a.A, 1, dInner, dState, dInner, 0);
    args.A = own(up(at, [dState, dInner], 'A-transposed').transpose(0, 1));
  } else {
    args.A = up(a.A, [dInner, dState], 'A');
  }
  return { args, owned };
}

export function disposeAll(tensors: readonly Tensor[]): void {
  for (const t of tensors) t.dispose();
}
