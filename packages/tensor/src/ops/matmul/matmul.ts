// Host code of matmul: out = x @ W^T (+ bias) (+ residual) with W stored (out, in) as in PyTorch
// checkpoints, f32 or packed f16/bf16. Small m (decode) takes the GEMV kernel, larger m (prefill)
// the tiled GEMM; W and the activations are split into binding-sized chunks when they exceed
// maxStorageBufferBindingSize (the 130m LM head, 50280 x 768 f32, is 154 MB).

import { defineParams } from '../../device/params.js';
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  dummyBinding,
  elementBytes,
  itemsPerWindow,
  usableBytes,
  wholeBinding,
} from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import epilogue from './epilogue.wgsl';
import gemmSplitKV1 from './gemm-splitk-v1.wgsl';
import gemmV1 from './gemm-v1.wgsl';
import gemmV2 from './gemm-v2.wgsl';
import gemvV1 from './gemv-v1.wgsl';
import matmulReduce from './matmul-reduce.wgsl';
import { type FloatDType, matmulPrelude, reducePrelude } from './matmul-wgsl.js';

/** Kernel versions, side by side; tests and the bench iterate this table. */
export const MATMUL_KERNELS = {
  'gemv-v1': 'per W row, 32 threads split K with vec4 loads; workgroup-memory reduction; m <= 16',
  'gemm-v1': '64x64 tiles in workgroup memory, 4x4 register blocks, K tiles of 16; m > 16',
  'gemm-v2': '128x128 tiles, 8x8 register blocks, double-buffered K tiles of 8 with register prefetch',
  'gemm-v2-splitk': 'gemm-v2, with K split over z-slices into a workspace + a reduce pass when tiles are few',
  'gemm-splitk-v1':
    '64x64 tiles (gemm-v1 blocks), double-buffered with register prefetch; K split over z-slices into a workspace + a reduce pass when tiles are few',
} as const;
export type MatmulKernel = keyof typeof MATMUL_KERNELS;

/** How each tiled GEMM version launches: its WGSL, output tile edge, and whether it splits K. */
const GEMM_VERSIONS: Partial<Record<MatmulKernel, { wgsl: string; tile: number; splitK: boolean }>> = {
  'gemm-v1': { wgsl: gemmV1, tile: 64, splitK: false },
  'gemm-v2': { wgsl: gemmV2, tile: 128, splitK: false },
  'gemm-v2-splitk': { wgsl: gemmV2, tile: 128, splitK: true },
  'gemm-splitk-v1': { wgsl: gemmSplitKV1, tile: 64, splitK: true },
};

/** Largest m (rows of x) that `auto` sends to the GEMV kernel. */
export const GEMV_MAX_M = 32;

/** Narrow products (n <= GEMV_NARROW_MAX_N) stay on the GEMV up to this many rows of x. */
export const GEMV_NARROW_MAX_M = 512;

/** Output width up to which a product counts as narrow (x_proj's 80 outputs). */
export const GEMV_NARROW_MAX_N = 128;

/** Split-K aims at this many workgroups: two waves of an H200's 132 SMs. */
export const SPLIT_K_TARGET_GROUPS = 264;

/** Split-K never gives a slice fewer K elements than this (the reduce pass costs a dispatch). */
export const SPLIT_K_MIN_SLICE = 64;

/**
 * K slices for a split-K GEMM with `tiles` output tiles: enough for SPLIT_K_TARGET_GROUPS
 * workgroups, slices of at least SPLIT_K_MIN_SLICE elements rounded to 16 (the K tile), at most
 * `maxSplits` (the workspace must fit one binding). `{ splits: 1, kSlice: k }` means no split.
 */
export function splitK(tiles: number, k: number, maxSplits = 64): { splits: number; kSlice: number } {
  const want = Math.min(
    Math.ceil(SPLIT_K_TARGET_GROUPS / tiles),
    Math.floor(k / SPLIT_K_MIN_SLICE),
    maxSplits,
    64,
  );
  if (want <= 1) return { splits: 1, kSlice: k };
  const kSlice = Math.ceil(k / want / 16) * 16;
  return { splits: Math.ceil(k / kSlice), kSlice };
}

/**
 * The default kernel for an (m, k) @ (n, k)^T product, from timings on an H200
 * (`scripts/tune-matmul.ts`, docs/perf-notes.md "Matmul (tensor)"):
 * - m <= GEMV_MAX_M: gemv-v1 (decode);
 * - at least SPLIT_K_TARGET_GROUPS 64x64 tiles (in_proj from m = 512, out_proj at 2048), or K
 *   too short to split (dt_proj's 48): gemm-v1;
 * - otherwise few tiles and a long K: gemv-v1 for narrow outputs up to m = GEMV_NARROW_MAX_M
 *   (x_proj), else gemm-splitk-v1 (decode batch 64, out_proj up to m = 1024, x_proj from 1024).
 */
export function pickMatmulKernel(m: number, n: number, k: number): MatmulKernel {
  if (m <= GEMV_MAX_M) return 'gemv-v1';
  const tiles = Math.ceil(m / 64) * Math.ceil(n / 64);
  if (tiles >= SPLIT_K_TARGET_GROUPS || splitK(tiles, k).splits === 1) return 'gemm-v1';
  if (n <= GEMV_NARROW_MAX_N && m <= GEMV_NARROW_MAX_M) return 'gemv-v1';
  return 'gemm-splitk-v1';
}

const Params = defineParams('Params', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  out_stride: 'u32',
  col0: 'u32',
  x_off: 'u32',
  w_off: 'u32',
  out_off: 'u32',
  res_off: 'u32',
  bias_off: 'u32',
  k_slice: 'u32',
  splits: 'u32',
});

export interface MatmulOptions extends ChunkingOptions {
  /** (out) added to every row; f32, f16 or bf16. */
  bias?: Tensor;
  /** (..., out) f32 added to the result (fused residual); must not be `out`. */
  residual?: Tensor;
  /** (..., out) f32 to write into instead of allocating (the caller keeps owning it). */
  out?: Tensor;
  /** @internal Force a kernel version (tests, bench); default picks by m. */
  kernel?: MatmulKernel;
}

const FLOAT: FloatDType[] = ['f32', 'f16', 'bf16'];

/** Rows of x per GEMV pass: the smallest power of two >= m, at most 8. */
function gemvRowsPerPass(m: number): number {
  let mb = 1;
  while (mb < Math.min(m, 8)) mb *= 2;
  return mb;
}

/**
 * out = x @ W^T (+ bias) (+ residual).
 *
 * x: (..., in) f32; W: (out, in) f32/f16/bf16; bias: (out); residual, out: (..., out) f32.
 * Leading dims of x are batch dims (flattened to m rows). Returns `options.out` when given, else a
 * new tensor the caller owns.
 */
export function matmul(x: Tensor, w: Tensor, options: MatmulOptions = {}): Tensor<'f32'> {
  const caller = 'matmul';
  x.expectDType(caller, 'x', 'f32');
  w.expectDType(caller, 'W', ...FLOAT);
  if (x.shape.length < 1) throw new ShapeError(`${caller}: x must be (..., in), got ${formatShape(x.shape)}`);
  const k = x.shape[x.shape.length - 1]!;
  w.expectShape(caller, 'W', [-1, k], '(out, in)');
  const n = w.shape[0]!;
  const m = x.numel / Math.max(k, 1);
  const outShape = [...x.shape.slice(0, -1), n];
  const { bias, residual } = options;
  if (bias) {
    bias.expectDType(caller, 'bias', ...FLOAT);
    bias.expectShape(caller, 'bias', [n], '(out)');
  }
  if (residual) {
    residual.expectDType(caller, 'residual', 'f32');
    residual.expectShape(caller, 'residual', outShape, '(..., out)');
  }
  const ctx = x.ctx;
  let out: Tensor<'f32'>;
  if (options.out) {
    options.out.expectDType(caller, 'out', 'f32');
    options.out.expectShape(caller, 'out', outShape, '(..., out)');
    for (const [name, t] of [
      ['x', x],
      ['W', w],
      ['residual', residual],
      ['bias', bias],
    ] as const) {
      if (t && t.buffer === options.out.buffer) {
        throw new InvalidArgumentError(`${caller}: out must not share memory with ${name}`, 'out');
      }
    }
    out = options.out as Tensor<'f32'>;
  } else {
    out = Tensor.empty(ctx, outShape, 'f32', 'matmul/out');
  }
  if (m === 0 || n === 0) return out;
  if (k === 0)
    throw new ShapeError(`${caller}: the inner dimension must be > 0, got x ${formatShape(x.shape)}`);

  const kernel: MatmulKernel = options.kernel ?? pickMatmulKernel(m, n, k);
  if (!(kernel in MATMUL_KERNELS)) {
    throw new InvalidArgumentError(`${caller}: unknown kernel ${String(kernel)}`, 'kernel');
  }
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const wRows = Math.min(itemsPerWindow(ctx, caller, 'row of W', k * elementBytes(w), budget), 65535 * 64);
  const xRows = Math.min(
    itemsPerWindow(ctx, caller, 'row of x or out', Math.max(k, n) * 4, budget),
    65535 * 8,
  );
  const biasBinding = bias ? wholeBinding(bias, caller, 'bias', budget).binding : dummyBinding(ctx);
  const vector = k % 4 === 0;
  const wDtype = w.dtype as FloatDType;
  const biasDtype = bias?.dtype ?? 'f32';
  const gemm = GEMM_VERSIONS[kernel];
  const mb = kernel === 'gemv-v1' ? gemvRowsPerPass(m) : 0;
  const kernelPipeline = (hasBias: boolean, hasResidual: boolean) => {
    const bDtype = hasBias ? biasDtype : 'f32';
    const key = `tensor/matmul/${kernel}/${wDtype}/${bDtype}/${vector ? 'vec4' : 'scalar'}${mb ? `/mb${mb}` : ''}`;
    return ctx.pipeline(
      key,
      () =>
        Params.wgsl +
        (mb ? `const MB: u32 = ${mb}u;\n` : '') +
        matmulPrelude(wDtype, bDtype, vector) +
        epilogue +
        (gemm ? gemm.wgsl : gemvV1),
      { HAS_BIAS: hasBias ? 1 : 0, HAS_RESIDUAL: hasResidual ? 1 : 0 },
    );
  };
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  const workspaceElems = Math.floor(usableBytes(ctx, budget) / 4);

  for (let m0 = 0; m0 < m; m0 += xRows) {
    const mc = Math.min(xRows, m - m0);
    const xw = bindingWindow(x, m0 * k, mc * k);
    const ow = bindingWindow(out, m0 * n, mc * n);
    const rw = residual ? bindingWindow(residual, m0 * n, mc * n) : undefined;
    for (let n0 = 0; n0 < n; n0 += wRows) {
      const nc = Math.min(wRows, n - n0);
      const ww = bindingWindow(w, n0 * k, nc * k);
      const params = {
        m: mc,
        n: nc,
        k,
        out_stride: n,
        col0: n0,
        x_off: xw.elemOffset,
        w_off: ww.elemOffset,
        out_off: ow.elemOffset,
        res_off: rw?.elemOffset ?? 0,
        bias_off: n0,
        k_slice: k,
        splits: 1,
      };
      const bindings = [xw.binding, ww.binding, biasBinding, rw?.binding ?? dummyBinding(ctx), ow.binding];
      if (!gemm) {
        const groups = dispatch1d(workgroupCount(nc, 8), maxGroups);
        ctx.dispatch({
          pipeline: kernelPipeline(bias !== undefined, residual !== undefined),
          params: Params.pack(params),
          bindings,
          workgroups: [...groups, workgroupCount(mc, mb)],
          label: `matmul/${kernel}`,
        });
        continue;
      }
      const tiles: [number, number] = [workgroupCount(nc, gemm.tile), workgroupCount(mc, gemm.tile)];
      const { splits, kSlice } = gemm.splitK
        ? splitK(tiles[0] * tiles[1], k, Math.floor(workspaceElems / (mc * nc)))
        : { splits: 1, kSlice: k };
      if (splits === 1) {
        ctx.dispatch({
          pipeline: kernelPipeline(bias !== undefined, residual !== undefined),
          params: Params.pack(params),
          bindings,
          workgroups: [...tiles, 1],
          label: `matmul/${kernel}`,
        });
        continue;
      }
      // Split-K: slice z writes rows [z * mc, (z + 1) * mc) of a (splits * mc, nc) workspace,
      // then the reduce pass sums the slices into out with the epilogue.
      const workspace = Tensor.empty(ctx, [splits * mc * nc], 'f32', 'matmul/split-k-workspace');
      ctx.dispatch({
        pipeline: kernelPipeline(false, false),
        params: Params.pack({
          ...params,
          out_stride: nc,
          col0: 0,
          out_off: 0,
          res_off: 0,
          bias_off: 0,
          k_slice: kSlice,
          splits,
        }),
        bindings: [xw.binding, ww.binding, dummyBinding(ctx), dummyBinding(ctx), workspace.buffer],
        workgroups: [...tiles, splits],
        label: `matmul/${kernel}/partial`,
      });
      ctx.dispatch({
        pipeline: ctx.pipeline(
          `tensor/matmul/reduce/${biasDtype}`,
          () => Params.wgsl + reducePrelude(biasDtype) + epilogue + matmulReduce,
          { HAS_BIAS: bias ? 1 : 0, HAS_RESIDUAL: residual ? 1 : 0 },
        ),
        params: Params.pack({ ...params, splits }),
        bindings: [workspace.buffer, biasBinding, rw?.binding ?? dummyBinding(ctx), ow.binding],
        workgroups: [...dispatch1d(workgroupCount(mc * nc, 256), maxGroups), 1],
        label: `matmul/${kernel}/reduce`,
      });
      workspace.dispose();
    }
  }
  return out;
}
