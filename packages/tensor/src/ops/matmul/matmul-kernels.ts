// The matmul kernel versions side by side, in one table of the KernelVersion shape that the op,
// the tests and the bench iterate. Every version's WGSL is its `.wgsl` body plus the shared WGSL
// libraries it names: the operand reads (operands.wgsl), the epilogue (epilogue.wgsl) and, for
// the tiled GEMMs, the tile loads and stores (gemm-tiles.wgsl); the builder generates the header
// (sizes from matmul-sizes.ts, layout codes, flags), the Params struct and the bindings.

import type { Binding } from '../../device/context.js';
import { defineParams } from '../../device/params.js';
import {
  type KernelSpec,
  type StorageSpec,
  codeConstants,
  kernelPipeline,
  viewParamValues,
  viewParams,
} from '../../shader/builder.js';
import { type WgslLibrary, wgslLibrary } from '../../shader/library.js';
import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  type BindingWindow,
  bindingWindow,
  itemsPerWindow,
  usableBytes,
  wholeBinding,
} from '../binding-window.js';
import type { KernelVersion } from '../kernel-version.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import { optionalBinding } from '../operand.js';
import epilogueWgsl from './epilogue.wgsl';
import gemmDoubleBufferWgsl from './gemm-double-buffer.wgsl';
import gemmSplitKV1Wgsl from './gemm-splitk-v1.wgsl';
import gemmTilesWgsl from './gemm-tiles.wgsl';
import gemmV1Wgsl from './gemm-v1.wgsl';
import gemmV2Wgsl from './gemm-v2.wgsl';
import gemmV3Wgsl from './gemm-v3.wgsl';
import gemvV1Wgsl from './gemv-v1.wgsl';
import gemvV2Wgsl from './gemv-v2.wgsl';
import { splitK } from './matmul-pick.js';
import {
  MATRIX_LAYOUTS,
  type MatmulProblem,
  type MatrixOperand,
  matrixLayout,
  rowsFitWindows,
  rowsPerWindow,
  rowsWindow,
} from './matmul-problem.js';
import reduceWgsl from './matmul-reduce.wgsl';
import {
  GEMM_SPLITK_V1,
  GEMM_V1,
  GEMM_V2,
  GEMM_V3,
  GEMV_V1,
  GEMV_V2,
  MATMUL_REDUCE,
} from './matmul-sizes.js';
import operandsWgsl from './operands.wgsl';

/** The names of the matmul kernel versions. */
export type MatmulKernel =
  | 'gemv-v1'
  | 'gemv-v2'
  | 'gemm-v1'
  | 'gemm-v2'
  | 'gemm-v2-splitk'
  | 'gemm-splitk-v1'
  | 'gemm-v3';

/** A matmul kernel version: records out = x @ W^T (+ bias) (+ residual) for a validated problem. */
export interface MatmulKernelVersion extends KernelVersion<MatmulProblem> {
  readonly name: MatmulKernel;
}

const caller = 'matmul';

/** `matmul-operands`: `read4_x`, `read4_w` (4 K elements of a row of x or W, any layout). */
const MATMUL_OPERANDS: WgslLibrary = wgslLibrary('matmul-operands', operandsWgsl);

/** `matmul-epilogue`: `store_out` (bias, residual, store), for the versions and the reduce pass. */
const MATMUL_EPILOGUE: WgslLibrary = wgslLibrary('matmul-epilogue', epilogueWgsl);

/** `gemm-tiles`: the tiled GEMMs' `tile_loader`, `load_quads`, `store_quads`, `store4`, `store4x4`. */
const GEMM_TILES: WgslLibrary = wgslLibrary('gemm-tiles', gemmTilesWgsl, [MATMUL_OPERANDS, MATMUL_EPILOGUE]);

/** `gemm-double-buffer`: `gemm_k_walk`, the double-buffered K loop of gemm-splitk-v1 and gemm-v2. */
const GEMM_DOUBLE_BUFFER: WgslLibrary = wgslLibrary('gemm-double-buffer', gemmDoubleBufferWgsl, [GEMM_TILES]);

/**
 * One uniform struct for every version and the reduce pass: the chunk's sizes, x and W as
 * strided views inside their windows (`x_at`, `w_at`), the epilogue's windows, the K slice.
 */
const Params = defineParams('Params', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  ...viewParams('x', 2),
  ...viewParams('w', 2),
  out_stride: 'u32',
  col0: 'u32',
  out_off: 'u32',
  res_off: 'u32',
  bias_off: 'u32',
  k_slice: 'u32',
  splits: 'u32',
});
type ParamValues = Parameters<typeof Params.pack>[0];

/** What epilogue.wgsl reads and writes, declared once for the versions and the reduce pass. */
function epilogueSpec(bias: DType | undefined, residual: boolean) {
  const storage: StorageSpec[] = [
    { name: 'bias', type: bias ?? 'f32' },
    { name: 'residual' },
    { name: 'out', access: 'read_write' },
  ];
  return { storage, constants: { HAS_BIAS: bias !== undefined, HAS_RESIDUAL: residual } };
}

/** x and W as operands.wgsl reads them: view bindings, vec4 where the layout allows. */
function operandSpec(p: MatmulProblem) {
  const x = matrixLayout(p.x, p.k);
  const w = matrixLayout(p.w, p.k);
  const storage: StorageSpec[] = [
    { name: 'x', vec4: x === 'vec4', view: 2 },
    { name: 'w', type: p.w.tensor.dtype, vec4: w === 'vec4', view: 2 },
  ];
  const constants = {
    ...codeConstants('LAYOUT', MATRIX_LAYOUTS),
    X_LAYOUT: MATRIX_LAYOUTS[x],
    W_LAYOUT: MATRIX_LAYOUTS[w],
  };
  return { storage, constants };
}

/** A version's WGSL: its `.wgsl` body and the libraries it uses. */
interface VersionCode {
  readonly body: string;
  readonly libraries: readonly WgslLibrary[];
}

/** The spec of a version's kernel for `p`, with the epilogue on (bias, residual) or off. */
function versionSpec(
  p: MatmulProblem,
  label: string,
  code: VersionCode,
  sizes: Readonly<Record<string, number>>,
  epilogue: ReturnType<typeof epilogueSpec>,
): KernelSpec {
  const operands = operandSpec(p);
  return {
    label,
    body: code.body,
    libraries: code.libraries,
    params: Params,
    constants: { ...sizes, ...operands.constants, ...epilogue.constants },
    storage: [...operands.storage, ...epilogue.storage],
  };
}

/** One chunk of the problem: rows [m0, m0 + mc) of x and out against rows [n0, n0 + nc) of W. */
interface Chunk {
  readonly mc: number;
  readonly nc: number;
  readonly params: ParamValues;
  readonly x: Binding;
  readonly w: Binding;
  readonly bias: Binding;
  readonly residual: Binding;
  readonly out: Binding;
}

/** A chunk's bindings in the order of a version's spec (operands, then the epilogue's). */
function versionBindings(c: Chunk): Binding[] {
  return [c.x, c.w, c.bias, c.residual, c.out];
}

function viewValues(name: 'x' | 'w', a: MatrixOperand, window: BindingWindow): Record<string, number> {
  return viewParamValues(name, { strides: [a.rowStride, a.kStride] }, window.elemOffset);
}

/**
 * Splits the problem into chunks whose windows fit one binding each (x and out over rows, W over
 * its rows; at most `maxXRows` / `maxWRows` per chunk for the grid) and visits them in order.
 */
function forEachChunk(p: MatmulProblem, maxXRows: number, maxWRows: number, visit: (c: Chunk) => void): void {
  const { m, n, k, budget } = p;
  const ctx = p.out.ctx;
  const xRows = Math.min(
    rowsPerWindow(ctx, caller, 'x', p.x, k, budget, maxXRows),
    itemsPerWindow(ctx, caller, 'row of out', n * 4, budget),
  );
  const wRows = rowsPerWindow(ctx, caller, 'W', p.w, k, budget, maxWRows);
  const bias = optionalBinding(ctx, p.bias && wholeBinding(p.bias, caller, 'bias', budget));
  for (let m0 = 0; m0 < m; m0 += xRows) {
    const mc = Math.min(xRows, m - m0);
    const xw = rowsWindow(p.x, k, m0, mc);
    const ow = bindingWindow(p.out, m0 * n, mc * n);
    const rw = p.residual && bindingWindow(p.residual, m0 * n, mc * n);
    for (let n0 = 0; n0 < n; n0 += wRows) {
      const nc = Math.min(wRows, n - n0);
      const ww = rowsWindow(p.w, k, n0, nc);
      const params = {
        m: mc,
        n: nc,
        k,
        ...viewValues('x', p.x, xw),
        ...viewValues('w', p.w, ww),
        out_stride: n,
        col0: n0,
        out_off: ow.elemOffset,
        res_off: rw?.elemOffset ?? 0,
        bias_off: n0,
        k_slice: k,
        splits: 1,
      } as ParamValues;
      const residual = optionalBinding(ctx, rw);
      visit({ mc, nc, params, x: xw.binding, w: ww.binding, bias, residual, out: ow.binding });
    }
  }
}

/** The two GEMV versions: their WGSL and sizes (gemv-v2 adds UNROLL). */
const GEMVS = {
  'gemv-v1': {
    code: { body: gemvV1Wgsl, libraries: [MATMUL_OPERANDS, MATMUL_EPILOGUE] } as VersionCode,
    sizes: GEMV_V1,
  },
  'gemv-v2': {
    code: { body: gemvV2Wgsl, libraries: [MATMUL_OPERANDS, MATMUL_EPILOGUE] } as VersionCode,
    sizes: GEMV_V2,
  },
} as const;

/** Rows of x per GEMV pass: the smallest power of two >= m, at most MAX_MB. */
function gemvRowsPerPass(m: number): number {
  let mb = 1;
  while (mb < Math.min(m, GEMV_V1.MAX_MB)) mb *= 2;
  return mb;
}

function recordGemv(p: MatmulProblem, name: 'gemv-v1' | 'gemv-v2' = 'gemv-v1'): void {
  const ctx = p.out.ctx;
  const { code, sizes } = GEMVS[name];
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  const mb = gemvRowsPerPass(p.m);
  const epilogue = epilogueSpec(p.bias?.dtype, p.residual !== undefined);
  const spec = versionSpec(p, `tensor/matmul/${name}`, code, { ...sizes, MB: mb }, epilogue);
  const pipeline = kernelPipeline(ctx, spec);
  forEachChunk(p, maxGroups * sizes.MAX_MB, maxGroups * maxGroups * sizes.W_ROWS, (c) => {
    ctx.dispatch({
      pipeline,
      params: Params.pack(c.params),
      bindings: versionBindings(c),
      workgroups: [...dispatch1d(workgroupCount(c.nc, sizes.W_ROWS), maxGroups), workgroupCount(c.mc, mb)],
      label: `matmul/${name}`,
    });
  });
}

/** How a tiled GEMM version launches. */
interface GemmLaunch {
  readonly name: MatmulKernel;
  /** The WGSL file (its pipeline label), its code, the header sizes (TILE among them). */
  readonly file: string;
  readonly code: VersionCode;
  /** TILE: rows of x per tile; TILE_N (default TILE): rows of W per tile. */
  readonly sizes: { readonly TILE: number; readonly TILE_K: number; readonly TILE_N?: number };
  /** Whether K is split over z-slices when the output tiles are few. */
  readonly splitK: boolean;
}

function gemmLaunch(
  name: MatmulKernel,
  file: string,
  code: VersionCode,
  sizes: GemmLaunch['sizes'],
  split: boolean,
): GemmLaunch {
  return { name, file, code, sizes, splitK: split };
}

const GEMM_V1_CODE: VersionCode = { body: gemmV1Wgsl, libraries: [GEMM_TILES] };
const GEMM_V2_CODE: VersionCode = { body: gemmV2Wgsl, libraries: [GEMM_DOUBLE_BUFFER] };
const GEMM_SPLITK_V1_CODE: VersionCode = { body: gemmSplitKV1Wgsl, libraries: [GEMM_DOUBLE_BUFFER] };
const GEMM_V3_CODE: VersionCode = { body: gemmV3Wgsl, libraries: [GEMM_TILES] };

/** The split-K reduce pass: out = sum of the workspace's slices, with the epilogue. */
function reduceSpec(p: MatmulProblem): KernelSpec {
  const epilogue = epilogueSpec(p.bias?.dtype, p.residual !== undefined);
  return {
    label: 'tensor/matmul/reduce',
    body: reduceWgsl,
    libraries: [MATMUL_EPILOGUE],
    params: Params,
    constants: { ...MATMUL_REDUCE, ...epilogue.constants },
    storage: [{ name: 'workspace' }, ...epilogue.storage],
  };
}

function recordGemm(p: MatmulProblem, launch: GemmLaunch): void {
  const ctx = p.out.ctx;
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  const { TILE } = launch.sizes;
  const tileN = launch.sizes.TILE_N ?? TILE;
  const label = `tensor/matmul/${launch.file}`;
  const withEpilogue = epilogueSpec(p.bias?.dtype, p.residual !== undefined);
  const pipeline = kernelPipeline(ctx, versionSpec(p, label, launch.code, launch.sizes, withEpilogue));
  const workspaceElements = Math.floor(usableBytes(ctx, p.budget) / 4);
  forEachChunk(p, maxGroups * TILE, maxGroups * tileN, (c) => {
    const tiles: [number, number] = [workgroupCount(c.nc, tileN), workgroupCount(c.mc, TILE)];
    const { splits, kSlice } = launch.splitK
      ? splitK(tiles[0] * tiles[1], p.k, Math.floor(workspaceElements / (c.mc * c.nc)))
      : { splits: 1, kSlice: p.k };
    if (splits === 1) {
      ctx.dispatch({
        pipeline,
        params: Params.pack(c.params),
        bindings: versionBindings(c),
        workgroups: [...tiles, 1],
        label: `matmul/${launch.name}`,
      });
      return;
    }
    // Split-K: slice z writes rows [z * mc, (z + 1) * mc) of a (splits * mc, nc) workspace with
    // the epilogue off, then the reduce pass sums the slices into out with the epilogue.
    const workspace = Tensor.empty(ctx, [splits * c.mc * c.nc], 'f32', 'matmul/split-k-workspace');
    const plain = epilogueSpec(undefined, false);
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, versionSpec(p, label, launch.code, launch.sizes, plain)),
      params: Params.pack({
        ...c.params,
        out_stride: c.nc,
        col0: 0,
        out_off: 0,
        res_off: 0,
        bias_off: 0,
        k_slice: kSlice,
        splits,
      }),
      bindings: [
        c.x,
        c.w,
        optionalBinding(ctx, undefined),
        optionalBinding(ctx, undefined),
        workspace.buffer,
      ],
      workgroups: [...tiles, splits],
      label: `matmul/${launch.name}/partial`,
    });
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, reduceSpec(p)),
      params: Params.pack({ ...c.params, splits }),
      bindings: [workspace.buffer, c.bias, c.residual, c.out],
      workgroups: [...dispatch1d(workgroupCount(c.mc * c.nc, MATMUL_REDUCE.WORKGROUP), maxGroups), 1],
      label: `matmul/${launch.name}/reduce`,
    });
    workspace.dispose();
  });
}

/** Whether both operands have stride 1 along K (what a coalesced K-parallel read needs). */
function kContiguous(p: MatmulProblem): boolean {
  return p.x.kStride === 1 && p.w.kStride === 1;
}

function gemmVersion(launch: GemmLaunch, description: string, automatic: boolean): MatmulKernelVersion {
  return {
    name: launch.name,
    description,
    automatic,
    supports: rowsFitWindows,
    record: (p) => recordGemm(p, launch),
  };
}

/**
 * The matmul kernel versions. `automatic` ones are what `matmul` picks by shape
 * (`pickMatmulKernel`); `supports` says which operand layouts a version reads in place (the op
 * makes plain copies through contiguousOperand for the others).
 */
export const MATMUL_KERNELS: readonly MatmulKernelVersion[] = Object.freeze([
  {
    name: 'gemv-v1',
    description:
      'per W row, 32 threads split K with vec4 loads; workgroup-memory reduction; for small m. Operands need stride 1 along K (coalesced K reads); other strides are copied',
    automatic: true,
    supports: kContiguous,
    record: (p) => recordGemv(p, 'gemv-v1'),
  },
  {
    name: 'gemv-v2',
    description:
      'gemv-v1 with 64 threads per W row, 4 rows per workgroup and 4 vec4 loads of W in flight per thread: shorter latency-bound K loops for long rows',
    automatic: true,
    supports: kContiguous,
    record: (p) => recordGemv(p, 'gemv-v2'),
  },
  gemmVersion(
    gemmLaunch('gemm-v1', 'gemm-v1', GEMM_V1_CODE, GEMM_V1, false),
    '64x64 tiles in workgroup memory, 4x4 register blocks, K tiles of 16; any operand strides (transposed operands in place while one row fits a binding)',
    true,
  ),
  gemmVersion(
    gemmLaunch('gemm-v2', 'gemm-v2', GEMM_V2_CODE, GEMM_V2, false),
    '128x128 tiles, 8x8 register blocks, double-buffered K tiles of 8 with register prefetch; any operand strides',
    false,
  ),
  gemmVersion(
    gemmLaunch('gemm-v2-splitk', 'gemm-v2', GEMM_V2_CODE, GEMM_V2, true),
    'gemm-v2, with K split over z-slices into a workspace + a reduce pass when tiles are few; any operand strides',
    false,
  ),
  gemmVersion(
    gemmLaunch('gemm-splitk-v1', 'gemm-splitk-v1', GEMM_SPLITK_V1_CODE, GEMM_SPLITK_V1, true),
    '64x64 tiles (gemm-v1 blocks), double-buffered with register prefetch; K split over z-slices into a workspace + a reduce pass when tiles are few; any operand strides',
    true,
  ),
  gemmVersion(
    gemmLaunch('gemm-v3', 'gemm-v3', GEMM_V3_CODE, GEMM_V3, false),
    '128x64 tiles, 8x4 register blocks, K tiles of 16, single-buffered (gemm-v1 with a taller tile); any operand strides',
    true,
  ),
]);
