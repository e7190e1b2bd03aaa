// Host code of the depthwise causal conv1d (prefill; the decode step is causal-conv1d-update.ts). The
// prefill reads x and writes y through any strides (e.g. x as a view of in_proj's token-major
// output, y token-major for x_proj); other operands are made contiguous by `contiguousOperand`.

import {
  type GpuContext,
  InvalidArgumentError,
  LayoutError,
  ShapeError,
  Tensor,
  formatShape,
} from '@mamba-webgpu/tensor';
import {
  type KernelSpec,
  bindingBudget,
  defineParams,
  kernelPipeline,
  viewParamValues,
  viewParams,
  viewWindow,
} from '@mamba-webgpu/tensor/internal';
import { checkConvWeight, requireTensor } from '../arg-checks.js';
import { grid1d, plainBindings } from '../bindings.js';
import { SSM_MATH } from '../ssm-math/ssm-math.js';
import source from './causal-conv1d.wgsl';

export { MAX_CONV_WIDTH, MIN_CONV_WIDTH } from '../arg-checks.js';

const WORKGROUP = 256;
const ConvParams = defineParams('Params', {
  batch: 'u32',
  d_inner: 'u32',
  seq_len: 'u32',
  width: 'u32',
  init_width: 'u32',
  ...viewParams('x', 3),
  ...viewParams('y', 3),
});

/** The prefill kernel for a call's flags and x layout (compile-time constants). */
function convSpec(flags: { bias: boolean; init: boolean; silu: boolean; channelFast: boolean }): KernelSpec {
  return {
    label: 'scan-kernels/causal-conv1d',
    body: source,
    params: ConvParams,
    constants: {
      WORKGROUP,
      HAS_BIAS: flags.bias,
      HAS_INIT: flags.init,
      SILU: flags.silu,
      CHANNEL_FAST: flags.channelFast,
    },
    libraries: [SSM_MATH],
    storage: [
      { name: 'x', view: 3 },
      { name: 'weight' },
      { name: 'bias' },
      { name: 'init_state' },
      { name: 'y', access: 'read_write', view: 3 },
      { name: 'final_state', access: 'read_write' },
    ],
  };
}

export interface CausalConv1dArgs {
  /** (batch, dInner, seqLen), any strides (e.g. a view of in_proj's (batch, seqLen, 2*dInner) output). */
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
   * (batch, dInner, width) plain f32 tensor to write the final state into (returned as
   * `finalState`; the caller keeps owning it). Must not share memory with an input. Default: a
   * new tensor.
   */
  finalStateOut?: Tensor | undefined;
  /**
   * (batch, dInner, seqLen) f32 tensor or view to write y into (returned as `y`; the caller keeps
   * owning it), e.g. `uTokens.reshape([batch, seqLen, dInner]).transpose(1, 2)` for a token-major
   * y. Must not share memory with an input. Default: a new (batch, dInner, seqLen) tensor.
   */
  yOut?: Tensor | undefined;
}

export interface CausalConv1dResult {
  /** (batch, dInner, seqLen): `yOut` when given. */
  y: Tensor<'f32'>;
  /** (batch, dInner, width): the last `width` inputs, ready for `causalConv1dUpdate`. */
  finalState: Tensor<'f32'>;
}

/** Checks the arguments of causalConv1d; returns the sizes and the initial state's columns. */
function validateConv(caller: string, args: CausalConv1dArgs) {
  requireTensor(caller, 'x', args.x);
  requireTensor(caller, 'weight', args.weight);
  const { x, weight, bias, initialState, finalStateOut, yOut } = args;
  x.expectDType(caller, 'x', 'f32');
  if (x.shape.length !== 3 || x.shape.some((d) => d < 1)) {
    throw new ShapeError(
      `${caller}: x must be (batch, dInner, seqLen) with sizes >= 1, got ${formatShape(x.shape)}`,
    );
  }
  const [batch, dInner, seqLen] = x.shape as [number, number, number];
  const width = checkConvWeight(caller, 'weight', weight, dInner);
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
  if (finalStateOut) {
    finalStateOut.expectDType(caller, 'finalStateOut', 'f32');
    finalStateOut.expectShape(caller, 'finalStateOut', [batch, dInner, width], '(batch, dInner, width)');
    if (!finalStateOut.isPlain) {
      throw new LayoutError(
        `${caller}: finalStateOut must be a plain tensor (contiguous from element 0), got a view`,
      );
    }
  }
  if (yOut) {
    yOut.expectDType(caller, 'yOut', 'f32');
    yOut.expectShape(caller, 'yOut', [batch, dInner, seqLen], '(batch, dInner, seqLen)');
    if (finalStateOut?.sharesStorage(yOut)) {
      throw new InvalidArgumentError(`${caller}: yOut must not share memory with finalStateOut`, 'yOut');
    }
  }
  for (const [name, out] of [
    ['finalStateOut', finalStateOut],
    ['yOut', yOut],
  ] as const) {
    if (out && [x, weight, bias, initialState].some((t) => t?.sharesStorage(out))) {
      throw new InvalidArgumentError(`${caller}: ${name} must not share memory with an input`, name);
    }
  }
  const budget = bindingBudget(x.ctx);
  viewWindow(x, caller, 'x', budget);
  if (yOut) viewWindow(yOut, caller, 'yOut', budget);
  return { batch, dInner, seqLen, width, initWidth };
}

/**
 * Depthwise causal conv1d: `y[b,d,t] = bias[d] + sum_w weight[d,w] * x[b,d,t-(width-1)+w]`, with
 * inputs before t = 0 taken from `initialState` (or zeros), optional fused SiLU.
 * x: (batch, dInner, seqLen), any strides, read in place; weight (dInner, width); bias (dInner).
 * Returns y (batch, dInner, seqLen) and the final conv state (batch, dInner, width), owned by the
 * caller (or `yOut` / `finalStateOut`, which the caller keeps owning).
 * @throws ShapeError, DTypeError, LayoutError, LimitError, InvalidArgumentError.
 */
export function causalConv1d(ctx: GpuContext, args: CausalConv1dArgs): CausalConv1dResult {
  const caller = 'causalConv1d';
  ctx.assertUsable(caller);
  const { batch, dInner, seqLen, width, initWidth } = validateConv(caller, args);
  const { x } = args;
  const budget = bindingBudget(ctx);
  const y = (args.yOut ??
    Tensor.empty(ctx, [batch, dInner, seqLen], 'f32', 'causal-conv1d/y')) as Tensor<'f32'>;
  const finalState = (args.finalStateOut ??
    Tensor.empty(ctx, [batch, dInner, width], 'f32', 'causal-conv1d/final-state')) as Tensor<'f32'>;
  const temporaries: Tensor[] = [];
  const plain = plainBindings(ctx, caller, temporaries);
  const xWindow = viewWindow(x, caller, 'x', budget);
  const yWindow = viewWindow(y, caller, 'y', budget);
  const total = batch * dInner * (seqLen + width);
  const spec = convSpec({
    bias: !!args.bias,
    init: !!args.initialState,
    silu: !!args.silu,
    channelFast: x.strides[1]! < x.strides[2]!,
  });
  try {
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, spec),
      params: ConvParams.pack({
        batch,
        d_inner: dInner,
        seq_len: seqLen,
        width,
        init_width: initWidth,
        ...viewParamValues('x', x, xWindow.elemOffset),
        ...viewParamValues('y', y, yWindow.elemOffset),
      } as Parameters<typeof ConvParams.pack>[0]),
      bindings: [
        xWindow.binding,
        plain(args.weight, 'weight'),
        plain(args.bias, 'bias'),
        plain(args.initialState, 'initialState'),
        yWindow.binding,
        finalState.buffer,
      ],
      workgroups: grid1d(ctx, total, WORKGROUP),
      label: 'causal-conv1d',
    });
  } finally {
    for (const t of temporaries) t.dispose();
  }
  return { y, finalState };
}
