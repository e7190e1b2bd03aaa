// rmsNormMatmul: out = rmsnorm(x) * normWeight @ W^T, the in_proj of a decode step, with its
// versions: v1-composed (tensor's rmsNorm, then matmul) and v2-prologue-gemv (the RMSNorm as the
// prologue of a GEMV, one dispatch; rmsnorm-matmul.wgsl on scan-kernels' prologue-gemv library).
// It is a fused rmsNorm + matmul and belongs with tensor's ops; it stays in the model, the one
// user, until tensor's matmul family takes fused prologues.
// x: (m, k) f32; normWeight: (k); W: (n, k) f32/f16/bf16; out: (m, n) f32.

import {
  type GpuContext,
  InvalidArgumentError,
  LayoutError,
  ShapeError,
  Tensor,
  formatShape,
  matmul,
  rmsNorm,
} from '@mamba-webgpu/tensor';
import {
  type KernelVersion,
  contiguousOperand,
  defineParams,
  kernelPipeline,
  pickKernel,
} from '@mamba-webgpu/tensor/internal';
import {
  PROLOGUE_GEMV,
  prologueGemvFits,
  prologueGemvGrid,
  prologueGemvSizes,
} from '@mamba-webgpu/scan-kernels/internal';
import body from './rmsnorm-matmul.wgsl';

const CALLER = 'rmsNormMatmul';

/**
 * Up to this many rows the fused version is the default: beyond, every workgroup's prologue
 * repeats the norm of more rows, and normalising once (v1) is faster.
 */
export const FUSED_NORM_MAX_ROWS = 4;

/** A validated problem. */
export interface RmsNormMatmulProblem {
  readonly ctx: GpuContext;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly x: Tensor;
  readonly normWeight: Tensor;
  readonly w: Tensor;
  readonly eps: number;
  /** (m, n), contiguous: allocated by the op or the caller's. */
  readonly out: Tensor<'f32'>;
}

export type RmsNormMatmulKernel = KernelVersion<RmsNormMatmulProblem>;

const Params = defineParams('Params', { m: 'u32', n: 'u32', eps: 'f32' });

/** The prologue's own workgroup memory (the sum-of-squares reduction). */
function redBytes(sizes: { WORKGROUP: number }): number {
  return 4 * sizes.WORKGROUP;
}

const v1Composed: RmsNormMatmulKernel = {
  name: 'v1-composed',
  description: "tensor's rmsNorm then matmul (two dispatches; the norm is computed once for all rows)",
  automatic: true,
  supports: () => true,
  record(p) {
    using normed = rmsNorm(p.x, p.normWeight, { eps: p.eps });
    matmul(normed, p.w, { out: p.out });
  },
};

const v2PrologueGemv: RmsNormMatmulKernel = {
  name: 'v2-prologue-gemv',
  description:
    'each GEMV workgroup normalises the rows of its slice in its prologue (one dispatch; the norm is repeated per workgroup)',
  automatic: true,
  supports: (p) => {
    const sizes = prologueGemvSizes(p.m, p.n, p.k);
    return prologueGemvFits(p.ctx, sizes, redBytes(sizes));
  },
  record(p) {
    const { ctx, m, n, k } = p;
    const temporaries: Tensor[] = [];
    const x = contiguousOperand(p.x, temporaries);
    const normWeight = contiguousOperand(p.normWeight, temporaries);
    const w = contiguousOperand(p.w, temporaries);
    const sizes = prologueGemvSizes(m, n, k);
    const spec = {
      label: 'mamba-model/rmsnorm-matmul/v2-prologue-gemv',
      body,
      params: Params,
      constants: { ...sizes },
      libraries: [PROLOGUE_GEMV],
      storage: [
        { name: 'w', type: w.dtype },
        { name: 'x' },
        { name: 'norm_w', type: normWeight.dtype },
        { name: 'out', access: 'read_write' },
      ],
    } as const;
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, spec),
      params: Params.pack({ m, n, eps: p.eps }),
      bindings: [w.buffer, x.buffer, normWeight.buffer, p.out.buffer],
      workgroups: prologueGemvGrid(ctx, m, n, sizes),
      label: 'rmsnorm-matmul/v2-prologue-gemv',
    });
    for (const t of temporaries) t.dispose();
  },
};

/** Every version, in order of introduction. */
export const RMS_NORM_MATMUL_KERNELS: readonly RmsNormMatmulKernel[] = [v1Composed, v2PrologueGemv];

function validate(
  x: Tensor,
  normWeight: Tensor,
  w: Tensor,
  eps: number,
  out: Tensor | undefined,
): RmsNormMatmulProblem {
  for (const [name, t] of [
    ['x', x],
    ['normWeight', normWeight],
    ['w', w],
  ] as const) {
    if (!(t instanceof Tensor)) throw new InvalidArgumentError(`${CALLER}: ${name} must be a Tensor`, name);
  }
  const ctx = x.ctx;
  ctx.assertUsable(CALLER);
  x.expectDType(CALLER, 'x', 'f32');
  if (x.shape.length !== 2) throw new ShapeError(`${CALLER}: x must be (m, k), got ${formatShape(x.shape)}`);
  const [m, k] = x.shape as [number, number];
  normWeight.expectDType(CALLER, 'normWeight', 'f32', 'f16', 'bf16');
  normWeight.expectShape(CALLER, 'normWeight', [k], '(k)');
  w.expectDType(CALLER, 'w', 'f32', 'f16', 'bf16', 'q8', 'q4');
  w.expectShape(CALLER, 'w', [-1, k], '(n, k)');
  const n = w.shape[0]!;
  if (typeof eps !== 'number' || !(eps >= 0)) {
    throw new InvalidArgumentError(`${CALLER}: eps must be a number >= 0, got ${String(eps)}`, 'eps');
  }
  if (out) {
    out.expectDType(CALLER, 'out', 'f32');
    out.expectShape(CALLER, 'out', [m, n], '(m, n)');
    if (!out.isPlain) throw new LayoutError(`${CALLER}: out must be a contiguous tensor, got a strided view`);
    if ([x, normWeight, w].some((t) => t.sharesStorage(out))) {
      throw new InvalidArgumentError(`${CALLER}: out must not share memory with an input`, 'out');
    }
  }
  const result = (out ?? Tensor.empty(ctx, [m, n], 'f32', 'rmsnorm-matmul/out')) as Tensor<'f32'>;
  return { ctx, m, n, k, x, normWeight, w, eps, out: result };
}

/**
 * out (m, n) = (x / sqrt(mean(x^2) + eps) * normWeight) @ W^T for x (m, k), normWeight (k),
 * W (n, k). Returns `options.out` when given, else a new tensor the caller owns. Default version:
 * the fused one up to FUSED_NORM_MAX_ROWS rows, the composed one above.
 * @throws ShapeError, DTypeError, LayoutError, InvalidArgumentError (bad eps, unknown kernel).
 */
export function rmsNormMatmul(
  x: Tensor,
  normWeight: Tensor,
  w: Tensor,
  options: { eps: number; out?: Tensor | undefined; kernel?: string | undefined },
): Tensor<'f32'> {
  const problem = validate(x, normWeight, w, options.eps, options.out);
  try {
    const name = options.kernel ?? (problem.m > FUSED_NORM_MAX_ROWS ? v1Composed.name : undefined);
    pickKernel(CALLER, RMS_NORM_MATMUL_KERNELS, problem, name).record(problem);
  } catch (error) {
    if (!options.out) problem.out.dispose();
    throw error;
  }
  return problem.out;
}
