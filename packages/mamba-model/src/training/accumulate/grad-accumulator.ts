// Gradient accumulation over k micro-batches: one accumulator per parameter, allocated once; each
// micro-batch's gradients are added scaled by 1/k (the first overwrites), in call order, so the
// sum is deterministic and equals the gradient of the mean loss over the whole batch.

import {
  DisposedError,
  type GpuContext,
  InvalidArgumentError,
  InvalidStateError,
  Tensor,
} from '@mamba-webgpu/tensor';
import {
  bindingBudget,
  bindingWindow,
  type ChunkingOptions,
  defineParams,
  dispatch1d,
  itemsPerWindow,
  kernelPipeline,
} from '@mamba-webgpu/tensor/internal';
import { type Named, namedEntries } from '../named.js';
import { checkF32Tensor, checkInteger, matchGradients } from '../validate.js';
import body from './accumulate.wgsl';

const WORKGROUP = 256;
const ITEMS = 4;

const Params = defineParams('Params', {
  numel: 'u32',
  acc_offset: 'u32',
  grad_offset: 'u32',
  block_count: 'u32',
  overwrite: 'u32',
  scale: 'f32',
});

const SPEC = {
  label: 'training/accumulate',
  body,
  params: Params,
  constants: { WORKGROUP, ITEMS },
  storage: [{ name: 'acc', access: 'read_write' }, { name: 'grad' }],
} as const;

/** Options of `GradAccumulator`. */
export interface GradAccumulatorOptions extends ChunkingOptions {
  /** Micro-batches per optimizer step (k >= 1): each adds its gradients times 1/k. */
  microBatches: number;
}

/**
 * Accumulators shaped like `params` (f32, owned): `add` k micro-batches' gradients, then pass
 * `grads` to clipping and the optimizer, then `reset()` for the next step.
 */
export class GradAccumulator {
  readonly microBatches: number;
  /** The accumulated gradients by parameter name (owned by the accumulator: do not dispose). */
  readonly grads: ReadonlyMap<string, Tensor<'f32'>>;
  private readonly ctx: GpuContext;
  private readonly params: (readonly [string, Tensor])[];
  private readonly perWindow: number;
  private added = 0;
  private disposed = false;

  constructor(params: Named<Tensor>, options: GradAccumulatorOptions) {
    const fn = 'GradAccumulator';
    this.microBatches = checkInteger(fn, 'microBatches', options.microBatches, 1);
    this.params = namedEntries(params);
    if (this.params.length === 0) {
      throw new InvalidArgumentError(`${fn}: params must hold at least one parameter, got none`, 'params');
    }
    this.ctx = checkF32Tensor(fn, `param ${this.params[0]![0]}`, this.params[0]![1]).ctx;
    for (const [name, p] of this.params) checkF32Tensor(fn, `param ${name}`, p, this.ctx);
    this.perWindow = itemsPerWindow(
      this.ctx,
      fn,
      'element',
      4,
      bindingBudget(this.ctx, options.maxBindingBytes),
    );
    const grads = new Map<string, Tensor<'f32'>>();
    for (const [name, p] of this.params)
      grads.set(name, Tensor.empty(this.ctx, p.shape, 'f32', `grad-accumulator/${name}`));
    this.grads = grads;
  }

  /** Micro-batches added since the last reset. */
  get count(): number {
    return this.added;
  }

  /** Whether all k micro-batches were added. */
  get ready(): boolean {
    return this.added === this.microBatches;
  }

  /** Adds one micro-batch's gradients (every parameter, same shapes), scaled by 1/k. */
  add(grads: Named<Tensor>): void {
    const fn = 'GradAccumulator.add';
    if (this.disposed) throw new DisposedError(`${fn}: the accumulator was disposed`);
    if (this.ready) {
      throw new InvalidStateError(
        `${fn}: all ${this.microBatches} micro-batches were added; call reset() after the step`,
      );
    }
    const matched = matchGradients(fn, this.params, grads, this.ctx);
    const pipeline = kernelPipeline(this.ctx, SPEC);
    const maxGroups = this.ctx.limits.maxComputeWorkgroupsPerDimension;
    this.params.forEach(([name], i) => {
      const grad = matched[i]!;
      const acc = this.grads.get(name)!;
      for (let start = 0; start < grad.numel; start += this.perWindow) {
        const count = Math.min(this.perWindow, grad.numel - start);
        const accWindow = bindingWindow(acc, start, count);
        const gradWindow = bindingWindow(grad, start, count);
        const blocks = Math.ceil(count / (WORKGROUP * ITEMS));
        this.ctx.dispatch({
          pipeline,
          params: Params.pack({
            numel: count,
            acc_offset: accWindow.elemOffset,
            grad_offset: gradWindow.elemOffset,
            block_count: blocks,
            overwrite: this.added === 0 ? 1 : 0,
            scale: 1 / this.microBatches,
          }),
          bindings: [accWindow.binding, gradWindow.binding],
          workgroups: dispatch1d(blocks, maxGroups),
          label: `accumulate(${name})`,
        });
      }
    });
    this.added++;
  }

  /** Starts the next step: the next `add` overwrites the accumulators. */
  reset(): void {
    this.added = 0;
  }

  /** Frees the accumulators. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.grads.values()) t.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
