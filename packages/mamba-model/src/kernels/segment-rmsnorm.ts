// segmentRmsNorm: a weightless RMSNorm over column segments of each row, FalconMamba's
// `rms_forward` of dt, B and C (x_proj's output (tokens, dtRank + 2*dState) cut into its three
// parts, each normalised on its own). Like rmsNormMatmul it belongs with tensor's ops and stays in
// the model, its one user. Versions: v1-thread-per-segment (segment-rmsnorm.wgsl).
// x: (..., width) f32, width = sum(segments); out: like x, contiguous.

import { type GpuContext, InvalidArgumentError, ShapeError, Tensor, formatShape } from '@mamba-webgpu/tensor';
import {
  type KernelVersion,
  bindingBudget,
  bindingWindow,
  checkOutput,
  defineParams,
  dispatch1d,
  itemsPerWindow,
  kernelPipeline,
  pickKernel,
  requireTensor,
  windowOperand,
} from '@mamba-webgpu/tensor/internal';
import body from './segment-rmsnorm.wgsl';
import { describeJson } from '../loading/json.js';

const CALLER = 'segmentRmsNorm';

/** The most segments one row may be cut into (the kernel's segment ends live in its uniform). */
export const MAX_SEGMENTS = 4;

const WORKGROUP = 64;

const Params = defineParams('Params', {
  rows: 'u32',
  width: 'u32',
  segments: 'u32',
  eps: 'f32',
  x_off: 'u32',
  out_off: 'u32',
  end0: 'u32',
  end1: 'u32',
  end2: 'u32',
  end3: 'u32',
});

/** A validated problem. */
export interface SegmentRmsNormProblem {
  readonly ctx: GpuContext;
  /** Rows: the product of x's leading dims. */
  readonly rows: number;
  /** The last dim, the sum of `segments`. */
  readonly width: number;
  readonly x: Tensor;
  /** Segment widths, in column order. */
  readonly segments: readonly number[];
  readonly eps: number;
  /** The binding budget (a test may lower it to exercise row windows). */
  readonly budget: number;
  /** Like x, contiguous: allocated by the op or the caller's. */
  readonly out: Tensor<'f32'>;
}

export type SegmentRmsNormKernel = KernelVersion<SegmentRmsNormProblem>;

const v1ThreadPerSegment: SegmentRmsNormKernel = {
  name: 'v1-thread-per-segment',
  description:
    'one thread per (row, segment) sums the squares and writes the segment (segments are short: dtRank, dState)',
  automatic: true,
  supports: () => true,
  record(p) {
    const { ctx, rows, width, segments } = p;
    if (rows === 0) return;
    const temporaries: Tensor[] = [];
    const x = windowOperand(p.x, temporaries);
    const ends = [0, 0, 0, 0]; // exclusive column end of each segment
    for (let s = 0, end = 0; s < segments.length; s++) ends[s] = end += segments[s]!;
    const pipeline = kernelPipeline(ctx, {
      label: 'mamba-model/segment-rmsnorm/v1-thread-per-segment',
      body,
      params: Params,
      constants: { WORKGROUP },
      storage: [{ name: 'x' }, { name: 'out', access: 'read_write' }],
    });
    const perWindow = Math.min(
      itemsPerWindow(ctx, CALLER, 'row', width * 4, p.budget),
      Math.floor(2 ** 31 / segments.length),
    );
    for (let r0 = 0; r0 < rows; r0 += perWindow) {
      const rc = Math.min(perWindow, rows - r0);
      const xw = bindingWindow(x, r0 * width, rc * width);
      const ow = bindingWindow(p.out, r0 * width, rc * width);
      ctx.dispatch({
        pipeline,
        params: Params.pack({
          rows: rc,
          width,
          segments: segments.length,
          eps: p.eps,
          x_off: xw.elemOffset,
          out_off: ow.elemOffset,
          end0: ends[0]!,
          end1: ends[1]!,
          end2: ends[2]!,
          end3: ends[3]!,
        }),
        bindings: [xw.binding, ow.binding],
        workgroups: dispatch1d(
          Math.ceil((rc * segments.length) / WORKGROUP),
          ctx.limits.maxComputeWorkgroupsPerDimension,
        ),
        label: 'segment-rmsnorm/v1-thread-per-segment',
      });
    }
    for (const t of temporaries) t.dispose();
  },
};

/** Every version, in order of introduction. */
export const SEGMENT_RMS_NORM_KERNELS: readonly SegmentRmsNormKernel[] = [v1ThreadPerSegment];

/** Options of `segmentRmsNorm`. */
export interface SegmentRmsNormOptions {
  /** Added to each segment's mean square before the square root (>= 0). */
  eps: number;
  /** (..., width) f32, contiguous, to write into instead of allocating. */
  out?: Tensor | undefined;
  /** A version of SEGMENT_RMS_NORM_KERNELS by name; default the newest automatic one. */
  kernel?: string | undefined;
  /** Binding budget override in bytes (tests: forces several row windows). */
  maxBindingBytes?: number | undefined;
}

function validate(
  x: Tensor,
  segments: readonly number[],
  options: SegmentRmsNormOptions,
): SegmentRmsNormProblem {
  requireTensor(CALLER, 'x', x);
  const ctx = x.ctx;
  ctx.assertUsable(CALLER);
  x.expectDType(CALLER, 'x', 'f32');
  if (x.shape.length < 1)
    throw new ShapeError(`${CALLER}: x must be (..., width), got ${formatShape(x.shape)}`);
  const width = x.shape[x.shape.length - 1]!;
  if (
    !Array.isArray(segments) ||
    segments.length < 1 ||
    segments.length > MAX_SEGMENTS ||
    !segments.every((s) => Number.isSafeInteger(s) && s > 0)
  ) {
    throw new InvalidArgumentError(
      `${CALLER}: segments must be 1 to ${MAX_SEGMENTS} positive integer widths, got ${describeJson(segments)}`,
      'segments',
    );
  }
  const total = segments.reduce((a, b) => a + b, 0);
  if (total !== width) {
    throw new ShapeError(
      `${CALLER}: segments must sum to x's last dim ${width}, got [${segments.join(', ')}] (sum ${total})`,
    );
  }
  const { eps } = options;
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new InvalidArgumentError(`${CALLER}: eps must be a finite number >= 0, got ${String(eps)}`, 'eps');
  }
  if (options.out !== undefined) checkOutput(CALLER, 'out', options.out, x.shape, '(..., width)', { x });
  const out = (options.out ?? Tensor.empty(ctx, x.shape, 'f32', 'segment-rmsnorm/out')) as Tensor<'f32'>;
  const rows = width === 0 ? 0 : x.numel / width;
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  return { ctx, rows, width, x, segments: [...segments], eps, budget, out };
}

/**
 * out = x with each row's column segments RMS-normalised on their own, without a weight:
 * for d in segment s, out[..., d] = x[..., d] * rsqrt(mean_{d' in s}(x[..., d']^2) + eps).
 * x: (..., width) f32, any layout (a strided view is read through a contiguous copy); segments:
 * the widths of 1 to MAX_SEGMENTS consecutive segments, summing to width. Returns `options.out`
 * when given, else a new tensor the caller owns.
 * @throws ShapeError, DTypeError, LayoutError, InvalidArgumentError (bad segments, eps, kernel).
 */
export function segmentRmsNorm(
  x: Tensor,
  segments: readonly number[],
  options: SegmentRmsNormOptions,
): Tensor<'f32'> {
  const problem = validate(x, segments, options);
  try {
    pickKernel(CALLER, SEGMENT_RMS_NORM_KERNELS, problem, options.kernel).record(problem);
  } catch (error) {
    if (!options.out) problem.out.dispose();
    throw error;
  }
  return problem.out;
}
