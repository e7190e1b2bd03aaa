// The global L2 norm of all gradients on the GPU and torch.nn.utils.clip_grad_norm_: per-tensor
// partial sums of squares, then one fixed-order final sum (deterministic, no float atomics). The
// norm and the clip scale stay on the GPU (`GradNorm.values`), so a step needs no readback: the
// scale is applied in place, or fused into AdamW (`step(grads, { gradScale })`).

import { type GpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import {
  type BindingWindow,
  bindingBudget,
  bindingWindow,
  type ChunkingOptions,
  defineParams,
  dispatch1d,
  itemsPerWindow,
  kernelPipeline,
  wholeBinding,
} from '@mamba-webgpu/tensor/internal';
import { type Named, namedEntries } from '../named.js';
import { checkGradients } from '../validate.js';
import finalBody from './final.wgsl';
import partialsBody from './partials.wgsl';
import scaleBody from './scale.wgsl';

const WORKGROUP = 256;
const ITEMS = 8;
const BLOCK = WORKGROUP * ITEMS;

const PartialsParams = defineParams('Params', {
  numel: 'u32',
  grad_offset: 'u32',
  partial_offset: 'u32',
  block_count: 'u32',
});
const FinalParams = defineParams('Params', { partial_count: 'u32', clip: 'u32', max_norm: 'f32' });
const ScaleParams = defineParams('Params', { numel: 'u32', grad_offset: 'u32', block_count: 'u32' });

const PARTIALS = {
  label: 'training/grad-norm/partials',
  body: partialsBody,
  params: PartialsParams,
  constants: { WORKGROUP, ITEMS },
  storage: [{ name: 'grad' }, { name: 'partials', access: 'read_write' }],
} as const;
const FINAL = {
  label: 'training/grad-norm/final',
  body: finalBody,
  params: FinalParams,
  constants: { WORKGROUP },
  storage: [{ name: 'partials' }, { name: 'out', access: 'read_write' }],
} as const;
const SCALE = {
  label: 'training/grad-norm/scale',
  body: scaleBody,
  params: ScaleParams,
  constants: { WORKGROUP, ITEMS },
  storage: [{ name: 'grad_norm' }, { name: 'grad', access: 'read_write' }],
} as const;

/**
 * The global gradient norm and clip scale of one step, on the GPU. `values` = (norm, scale): the
 * pre-clip L2 norm over every gradient, and min(1, maxNorm / (norm + 1e-6)) (1 without maxNorm).
 * The caller owns it: dispose it after the step that uses it.
 */
export class GradNorm {
  constructor(
    /** (2) f32: [norm, scale]. */
    readonly values: Tensor<'f32'>,
    /** The clip threshold, undefined when only the norm was asked for. */
    readonly maxNorm: number | undefined,
  ) {}

  /** Reads the norm and the scale back (for logging; waits for the GPU). */
  async read(): Promise<{ norm: number; scale: number }> {
    const [norm, scale] = await this.values.read();
    return { norm: norm!, scale: scale! };
  }

  get isDisposed(): boolean {
    return this.values.isDisposed;
  }

  dispose(): void {
    this.values.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Options of `gradNorm`. */
export interface GradNormOptions extends ChunkingOptions {
  /** Also compute clip_grad_norm_'s scale for this threshold (> 0; Infinity: never clip). */
  maxNorm?: number;
}

/** Gradients as a named collection (its order is the reduction order) or a list. */
export type Gradients = Named<Tensor> | readonly Tensor[];

function gradientList(caller: string, grads: Gradients): [string, Tensor][] {
  const entries: [string, Tensor][] = Array.isArray(grads)
    ? (grads as readonly Tensor[]).map((g, i) => [`grads[${i}]`, g])
    : namedEntries(grads as Named<Tensor>);
  return checkGradients(caller, entries);
}

function checkMaxNorm(caller: string, maxNorm: unknown): number {
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm <= 0) {
    throw new InvalidArgumentError(
      `${caller}: maxNorm must be a number > 0, got ${String(maxNorm)}`,
      'maxNorm',
    );
  }
  return maxNorm;
}

/** Calls `record(grad, window, count)` for each binding-sized window of every gradient, in order. */
function forEachWindow(
  entries: readonly [string, Tensor][],
  perWindow: number,
  record: (grad: Tensor, window: BindingWindow, count: number) => void,
): void {
  for (const [, grad] of entries) {
    for (let start = 0; start < grad.numel; start += perWindow) {
      const count = Math.min(perWindow, grad.numel - start);
      record(grad, bindingWindow(grad, start, count), count);
    }
  }
}

function recordNorm(
  ctx: GpuContext,
  entries: readonly [string, Tensor][],
  maxNorm: number | undefined,
  budget: number,
): GradNorm {
  const perWindow = itemsPerWindow(ctx, 'gradNorm', 'gradient element', 4, budget);
  let partialCount = 0;
  forEachWindow(entries, perWindow, (_, __, count) => {
    partialCount += Math.ceil(count / BLOCK);
  });
  const values = Tensor.empty(ctx, [2], 'f32', 'grad-norm/values');
  using partials = Tensor.empty(ctx, [Math.max(partialCount, 1)], 'f32', 'grad-norm/partials');
  const partialsBinding = wholeBinding(partials, 'gradNorm', 'the partial sums', budget).binding;
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  let partialOffset = 0;
  forEachWindow(entries, perWindow, (grad, window, count) => {
    const blocks = Math.ceil(count / BLOCK);
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, PARTIALS),
      params: PartialsParams.pack({
        numel: count,
        grad_offset: window.elemOffset,
        partial_offset: partialOffset,
        block_count: blocks,
      }),
      bindings: [window.binding, partialsBinding],
      workgroups: dispatch1d(blocks, maxGroups),
      label: `grad-norm/partials(${grad.label})`,
    });
    partialOffset += blocks;
  });
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, FINAL),
    params: FinalParams.pack({
      partial_count: partialCount,
      clip: maxNorm === undefined ? 0 : 1,
      max_norm: maxNorm ?? 0,
    }),
    bindings: [partialsBinding, values.buffer],
    workgroups: [1],
    label: 'grad-norm/final',
  });
  return new GradNorm(values, maxNorm);
}

/**
 * The global L2 norm of `grads` (and, with `maxNorm`, the clip scale), computed on the GPU in a
 * fixed order: the same gradients give the same bits on every run. Gradients: f32, contiguous.
 * Returns a GradNorm the caller owns; nothing is read back.
 */
export function gradNorm(grads: Gradients, options: GradNormOptions = {}): GradNorm {
  const entries = gradientList('gradNorm', grads);
  const maxNorm = options.maxNorm === undefined ? undefined : checkMaxNorm('gradNorm', options.maxNorm);
  const ctx = entries[0]![1].ctx;
  return recordNorm(ctx, entries, maxNorm, bindingBudget(ctx, options.maxBindingBytes));
}

/** Options of `clipGradNorm`. */
export interface ClipGradNormOptions extends ChunkingOptions {
  /**
   * Scale the gradients in place (default, torch's semantics). False leaves them as they are:
   * pass the result to `AdamW.step(grads, { gradScale })`, which applies the scale as it reads
   * them (the same bits, one pass over the gradients fewer).
   */
  inPlace?: boolean;
}

/**
 * torch.nn.utils.clip_grad_norm_ on the GPU: the global L2 norm of `grads`, and when
 * maxNorm / (norm + 1e-6) < 1 every gradient scaled by it. Returns the GradNorm (the pre-clip
 * norm and the scale, kept on the GPU; `read()` them for logging), which the caller owns.
 */
export function clipGradNorm(grads: Gradients, maxNorm: number, options: ClipGradNormOptions = {}): GradNorm {
  const entries = gradientList('clipGradNorm', grads);
  checkMaxNorm('clipGradNorm', maxNorm);
  const ctx = entries[0]![1].ctx;
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const norm = recordNorm(ctx, entries, maxNorm, budget);
  if (options.inPlace === false) return norm;
  const perWindow = itemsPerWindow(ctx, 'clipGradNorm', 'gradient element', 4, budget);
  const maxGroups = ctx.limits.maxComputeWorkgroupsPerDimension;
  forEachWindow(entries, perWindow, (grad, window, count) => {
    const blocks = Math.ceil(count / BLOCK);
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, SCALE),
      params: ScaleParams.pack({ numel: count, grad_offset: window.elemOffset, block_count: blocks }),
      bindings: [norm.values.buffer, window.binding],
      workgroups: dispatch1d(blocks, maxGroups),
      label: `grad-norm/scale(${grad.label})`,
    });
  });
  return norm;
}
