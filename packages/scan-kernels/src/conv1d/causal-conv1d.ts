// Host code of the depthwise causal conv1d (prefill) and its single-token update (decode).

import {
  type GpuContext,
  InvalidArgumentError,
  LimitError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import { defineParams, dispatch1d, workgroupCount } from '@mamba-webgpu/tensor/internal';
import source from './causal-conv1d.wgsl';

/** Kernel widths accepted (the official causal_conv1d supports 2..4; the math holds to 8). */
export const MIN_CONV_WIDTH = 2;
export const MAX_CONV_WIDTH = 8;

const ConvParams = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  width: 'u32',
  init_width: 'u32',
});
const convCode = ConvParams.wgsl + source;

export interface CausalConv1dArgs {
  /** (batch, dInner, seqLen) */
  x: Tensor;
  /** (dInner, width), width 2..8 */
  weight: Tensor;
  /** (dInner) */
  bias?: Tensor | undefined;
  /** (batch, dInner, width - 1) or (batch, dInner, width): the inputs before the sequence (last column newest). */
  initialState?: Tensor | undefined;
  /** Apply SiLU to the output. */
  silu?: boolean | undefined;
  /**
   * (batch, dInner, width) f32 tensor to write the final state into (returned as `finalState`;
   * the caller keeps owning it). Must not be `initialState`. Default: a new tensor.
   */
  finalStateOut?: Tensor | undefined;
}

export interface CausalConv1dResult {
  /** (batch, dInner, seqLen) */
  y: Tensor<'f32'>;
  /** (batch, dInner, width): the last `width` inputs, ready for `causalConv1dUpdate`. */
  finalState: Tensor<'f32'>;
}

function checkWeight(caller: string, weight: Tensor, dInner: number): number {
  weight.expectDType(caller, 'weight', 'f32');
  if (weight.shape.length !== 2 || weight.shape[0] !== dInner) {
    throw new ShapeError(
      `${caller}: weight must be (dInner, width) = (${dInner}, *), got ${formatShape(weight.shape)}`,
    );
  }
  const width = weight.shape[1]!;
  if (width < MIN_CONV_WIDTH || width > MAX_CONV_WIDTH) {
    throw new LimitError(`${caller}: width must be in ${MIN_CONV_WIDTH}..${MAX_CONV_WIDTH}, got ${width}`);
  }
  return width;
}

function requireTensor(caller: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new InvalidArgumentError(`${caller}: ${name} must be a Tensor`, name);
}

/**
 * Depthwise causal conv1d: `y[b,d,t] = bias[d] + sum_w weight[d,w] * x[b,d,t-(width-1)+w]`, with
 * inputs before t = 0 taken from `initialState` (or zeros), optional fused SiLU.
 * Returns y (batch, dInner, seqLen) and the final conv state (batch, dInner, width); both owned by the caller.
 */
export function causalConv1d(ctx: GpuContext, args: CausalConv1dArgs): CausalConv1dResult {
  const caller = 'causalConv1d';
  ctx.assertUsable(caller);
  requireTensor(caller, 'x', args.x);
  requireTensor(caller, 'weight', args.weight);
  const { x, weight, bias, initialState } = args;
  x.expectDType(caller, 'x', 'f32');
  if (x.shape.length !== 3 || x.shape.some((d) => d < 1)) {
    throw new ShapeError(
      `${caller}: x must be (batch, dInner, seqLen) with sizes >= 1, got ${formatShape(x.shape)}`,
    );
  }
  const [batch, dInner, seqLen] = x.shape as [number, number, number];
  const width = checkWeight(caller, weight, dInner);
  if (bias) {
    bias.expectDType(caller, 'bias', 'f32');
    bias.expectShape(caller, 'bias', [dInner], '(dInner)');
  }
  let initWidth = width - 1;
  if (initialState) {
    initialState.expectDType(caller, 'initialState', 'f32');
    initWidth = initialState.shape[2] ?? -1;
    if (initWidth !== width && initWidth !== width - 1) initWidth = width - 1;
    initialState.expectShape(
      caller,
      'initialState',
      [batch, dInner, initWidth],
      '(batch, dInner, width - 1)',
    );
  }
  ctx.checkBindingSize(caller, 'x', x.byteLength);
  const y = Tensor.empty(ctx, [batch, dInner, seqLen], 'f32', 'causal-conv1d/y');
  const out = args.finalStateOut;
  if (out) {
    out.expectDType(caller, 'finalStateOut', 'f32');
    out.expectShape(caller, 'finalStateOut', [batch, dInner, width], '(batch, dInner, width)');
    if (initialState && initialState.buffer === out.buffer) {
      throw new InvalidArgumentError(
        `${caller}: finalStateOut must not share memory with initialState`,
        'finalStateOut',
      );
    }
  }
  const finalState = (out ??
    Tensor.empty(ctx, [batch, dInner, width], 'f32', 'causal-conv1d/final-state')) as Tensor<'f32'>;
  const total = batch * dInner * (seqLen + width);
  ctx.dispatch({
    pipeline: ctx.pipeline('scan-kernels/causal-conv1d', convCode, {
      HAS_BIAS: bias ? 1 : 0,
      HAS_INIT: initialState ? 1 : 0,
      SILU: args.silu ? 1 : 0,
    }),
    params: ConvParams.pack({ batch, d_inner: dInner, seq_len: seqLen, width, init_width: initWidth }),
    bindings: [
      x.buffer,
      weight.buffer,
      (bias ?? x).buffer,
      (initialState ?? x).buffer,
      y.buffer,
      finalState.buffer,
    ],
    workgroups: dispatch1d(workgroupCount(total, 256), ctx.limits.maxComputeWorkgroupsPerDimension),
    label: 'causal-conv1d',
  });
  return { y, finalState };
}
