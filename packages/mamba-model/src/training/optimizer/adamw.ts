// AdamW on the GPU, fused over all parameters: one kernel updates params, exp_avg and exp_avg_sq
// in place with torch.optim.AdamW's semantics and op order (decoupled weight decay, bias
// corrections), optionally applying the clip scale as it reads the gradients. The moments are
// allocated once (MomentArena); parameters that share buffers are packed into one launch.

import { DisposedError, type GpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import {
  bindingBudget,
  type ChunkingOptions,
  defineParams,
  dispatch1d,
  dummyBinding,
  type KernelVersion,
  itemsPerWindow,
  kernelPipeline,
  pickKernel,
  wholeBinding,
} from '@mamba-webgpu/tensor/internal';
import type { OptimizerState, OptimizerStateEntry } from '../checkpoint/optimizer-state.js';
import { GradNorm } from '../grad-norm/grad-norm.js';
import { type Named, namedEntries } from '../named.js';
import { spanBinding } from '../binding-span.js';
import { checkF32Tensor, checkInteger, matchGradients } from '../validate.js';
import {
  type AdamWOptions,
  type AdamWStepOptions,
  type AdamWStepScalars,
  adamwStepScalars,
  checkLr,
  type ResolvedAdamWOptions,
  resolveAdamWOptions,
} from './adamw-options.js';
import { type AdamWLaunch, planAdamW } from './adamw-plan.js';
import body from './adamw.wgsl';
import { MomentArena } from './moment-arena.js';

const WORKGROUP = 256;
const ITEMS = 4;
const SEGMENT_WORDS = 8;
const MAX_SEGMENTS = 4096;

const Params = defineParams('Params', {
  block_count: 'u32',
  segment_count: 'u32',
  table_offset: 'u32',
  use_grad_scale: 'u32',
  decay_factor: 'f32',
  lerp_weight: 'f32',
  beta2: 'f32',
  one_minus_beta2: 'f32',
  bias_correction2_sqrt: 'f32',
  eps: 'f32',
  neg_step_size: 'f32',
});

const SPEC = {
  label: 'training/adamw',
  body,
  params: Params,
  constants: { WORKGROUP, ITEMS, SEGMENT_WORDS },
  storage: [
    { name: 'table', type: 'u32' },
    { name: 'param', access: 'read_write' },
    { name: 'grad' },
    { name: 'exp_avg', access: 'read_write' },
    { name: 'exp_avg_sq', access: 'read_write' },
    { name: 'grad_scale' },
  ],
} as const;

type Binding = { buffer: GPUBuffer; offset: number; size: number };

/** One launch with its bindings (param, grad, exp_avg, exp_avg_sq) and its rows in the segment table. */
export interface PreparedLaunch {
  readonly launch: AdamWLaunch;
  readonly bindings: readonly [Binding, Binding, Binding, Binding];
  readonly tableOffset: number;
}

/** What one AdamW step records: the prepared launches and this step's scalars. */
export interface AdamWProblem {
  readonly ctx: GpuContext;
  readonly launches: readonly PreparedLaunch[];
  readonly table: Binding;
  readonly scalars: AdamWStepScalars;
  readonly gradScale: GradNorm | undefined;
}

/** AdamW kernel versions, one registry shape for tests and the bench. */
export const ADAMW_KERNELS: readonly KernelVersion<AdamWProblem>[] = [
  {
    name: 'v1-multi-tensor',
    description:
      'One pass per element over param, grad and both moments (torch foreach op order); a segment table packs the parameters of shared buffers into one launch, one workgroup per 1024 elements.',
    automatic: true,
    supports: () => true,
    record({ ctx, launches, table, scalars: s, gradScale }) {
      const pipeline = kernelPipeline(ctx, SPEC);
      const scaleBinding = gradScale?.values.buffer ?? dummyBinding(ctx);
      for (const { launch, bindings, tableOffset } of launches) {
        ctx.dispatch({
          pipeline,
          params: Params.pack({
            block_count: launch.blocks,
            segment_count: launch.segments.length,
            table_offset: tableOffset,
            use_grad_scale: gradScale ? 1 : 0,
            decay_factor: s.decayFactor,
            lerp_weight: s.lerpWeight,
            beta2: s.beta2,
            one_minus_beta2: s.oneMinusBeta2,
            bias_correction2_sqrt: s.biasCorrection2Sqrt,
            eps: s.eps,
            neg_step_size: s.negStepSize,
          }),
          bindings: [table, ...bindings, scaleBinding],
          workgroups: dispatch1d(launch.blocks, ctx.limits.maxComputeWorkgroupsPerDimension),
          label: 'adamw',
        });
      }
    },
  },
];

/** Options of the `AdamW` constructor. */
export interface AdamWConstructorOptions extends AdamWOptions, ChunkingOptions {}

/**
 * AdamW over named f32 parameters (checkpoint names: the default no-decay rule matches them).
 * The parameters are borrowed and updated in place; the moments are owned: `dispose()` frees them.
 */
export class AdamW {
  readonly ctx: GpuContext;
  readonly hyper: ResolvedAdamWOptions;
  /** Parameter names in update order. */
  readonly names: readonly string[];
  private readonly params: (readonly [string, Tensor<'f32'>])[];
  private readonly moments: MomentArena;
  private readonly table: Tensor<'u32'>;
  private readonly spanElements: number;
  private plan: { grads: readonly Tensor[]; launches: PreparedLaunch[] } | undefined;
  private tableWords: Uint32Array | undefined;
  private steps = 0;
  private disposed = false;

  constructor(params: Named<Tensor>, options: AdamWConstructorOptions = {}) {
    const fn = 'AdamW';
    this.hyper = resolveAdamWOptions(fn, options);
    const entries = namedEntries(params);
    if (entries.length === 0)
      throw new InvalidArgumentError(`${fn}: params must hold at least one parameter, got none`, 'params');
    const ctx = checkF32Tensor(fn, `param ${entries[0]![0]}`, entries[0]![1]).ctx;
    const seen = new Map<Tensor, string>();
    this.params = entries.map(([name, p]) => {
      const other = seen.get(p);
      if (other !== undefined)
        throw new InvalidArgumentError(`${fn}: params ${other} and ${name} are the same tensor`, 'params');
      seen.set(p, name);
      return [name, checkF32Tensor(fn, `param ${name}`, p, ctx)] as const;
    });
    this.ctx = ctx;
    this.names = this.params.map(([name]) => name);
    this.spanElements = itemsPerWindow(ctx, fn, 'element', 4, bindingBudget(ctx, options.maxBindingBytes));
    const chunkElements = Math.min(this.spanElements, Math.floor(ctx.limits.maxBufferSize / 4));
    this.moments = new MomentArena(
      ctx,
      this.params.map(([, p]) => p.shape),
      chunkElements,
    );
    const pieces = this.params.reduce((n, [, p]) => n + Math.ceil(p.numel / this.spanElements), 0);
    try {
      this.table = Tensor.empty(ctx, [Math.max(pieces, 1) * SEGMENT_WORDS], 'u32', 'adamw/segment-table');
    } catch (error) {
      this.moments.dispose();
      throw error;
    }
  }

  /** Steps taken (the bias corrections use it). */
  get stepCount(): number {
    return this.steps;
  }

  /** The weight decay of parameter `name`: 0 in the no-decay group. */
  weightDecayOf(name: string): number {
    return this.hyper.noDecay(name) ? 0 : this.hyper.weightDecay;
  }

  /** Parameter `name`'s moments, as views shaped like it (borrowed: do not dispose). */
  state(name: string): { readonly expAvg: Tensor<'f32'>; readonly expAvgSq: Tensor<'f32'> } {
    this.live('AdamW.state');
    const index = this.names.indexOf(name);
    if (index < 0) throw new InvalidArgumentError(`AdamW.state: no parameter named ${name}`, 'name');
    return this.moments.views[index]!;
  }

  /**
   * One AdamW step: every parameter is updated from its gradient (same names and shapes, f32),
   * scaled first by `gradScale` when given. Records GPU work only; nothing is read back.
   */
  step(grads: Named<Tensor>, options: AdamWStepOptions<GradNorm> = {}): void {
    const fn = 'AdamW.step';
    this.live(fn);
    const lr = checkLr(fn, options.lr ?? this.hyper.lr);
    const gradScale = options.gradScale;
    if (gradScale !== undefined) {
      if (!(gradScale instanceof GradNorm)) {
        throw new InvalidArgumentError(
          `${fn}: gradScale must be a GradNorm from clipGradNorm, got ${typeof gradScale}`,
          'gradScale',
        );
      }
      checkF32Tensor(fn, 'gradScale', gradScale.values, this.ctx);
    }
    for (const [name, p] of this.params) {
      if (p.isDisposed) throw new DisposedError(`${fn}: parameter ${name} ('${p.label}') was disposed`);
    }
    const launches = this.prepare(matchGradients(fn, this.params, grads, this.ctx));
    this.steps++;
    const problem: AdamWProblem = {
      ctx: this.ctx,
      launches,
      table: wholeBinding(this.table, fn, 'the segment table', bindingBudget(this.ctx)).binding,
      scalars: adamwStepScalars(this.hyper, lr, this.steps),
      gradScale,
    };
    pickKernel(fn, ADAMW_KERNELS, problem).record(problem);
  }

  /** The launches for these gradients (cached while the same tensors come), table uploaded. */
  private prepare(grads: readonly Tensor<'f32'>[]): PreparedLaunch[] {
    if (this.plan?.grads.every((g, i) => g === grads[i])) return this.plan.launches;
    const ctx = this.ctx;
    const items = this.params.map(([name, p], i) => ({
      numel: p.numel,
      param: { buffer: p.storageBuffer, offset: p.offset },
      grad: { buffer: grads[i]!.storageBuffer, offset: grads[i]!.offset },
      state: { chunk: this.moments.slots[i]!.chunk, offset: this.moments.slots[i]!.offset },
      decays: !this.hyper.noDecay(name) && this.hyper.weightDecay !== 0,
    }));
    const plan = planAdamW(items, {
      spanElements: this.spanElements,
      maxSegments: MAX_SEGMENTS,
      blockElements: WORKGROUP * ITEMS,
    });
    const words = new Uint32Array(this.table.numel);
    let row = 0;
    const launches = plan.map((launch): PreparedLaunch => {
      if (launch.param.buffer === launch.grad.buffer) {
        throw new InvalidArgumentError(
          'AdamW.step: a gradient shares a GPU buffer with the parameters; give gradients their own buffer',
          'grads',
        );
      }
      const param = spanBinding(ctx, launch.param.buffer as GPUBuffer, launch.param.begin, launch.param.end);
      const grad = spanBinding(ctx, launch.grad.buffer as GPUBuffer, launch.grad.begin, launch.grad.end);
      const m = spanBinding(
        ctx,
        this.moments.expAvg[launch.chunk]!.buffer,
        launch.state.begin,
        launch.state.end,
      );
      const v = spanBinding(
        ctx,
        this.moments.expAvgSq[launch.chunk]!.buffer,
        launch.state.begin,
        launch.state.end,
      );
      const tableOffset = row * SEGMENT_WORDS;
      for (const s of launch.segments) {
        words.set(
          [
            s.firstBlock,
            s.numel,
            s.param - launch.param.begin + param.elemOffset,
            s.grad - launch.grad.begin + grad.elemOffset,
            s.state - launch.state.begin + m.elemOffset,
            s.decays ? 1 : 0,
          ],
          row++ * SEGMENT_WORDS,
        );
      }
      return { launch, bindings: [param.binding, grad.binding, m.binding, v.binding], tableOffset };
    });
    if (!this.tableWords || this.tableWords.some((w, i) => w !== words[i])) this.table.write(words);
    this.tableWords = words;
    this.plan = { grads: [...grads], launches };
    return launches;
  }

  /** Every parameter's moments and the step count, read back (for `optimizer.safetensors`). */
  async exportState(): Promise<OptimizerState> {
    this.live('AdamW.exportState');
    const { expAvg, expAvgSq } = await this.moments.read();
    const params = new Map<string, OptimizerStateEntry>();
    for (const [i, [name, p]] of this.params.entries()) {
      params.set(name, { shape: p.shape, expAvg: expAvg[i]!, expAvgSq: expAvgSq[i]! });
    }
    const { lr, beta1, beta2, eps, weightDecay, noDecayLabel } = this.hyper;
    return {
      step: this.steps,
      params,
      hyper: { lr, betas: [beta1, beta2], eps, weightDecay, noDecay: noDecayLabel },
    };
  }

  /** Restores moments and step count saved by `exportState` (same parameter names and shapes). */
  loadState(state: OptimizerState): void {
    const fn = 'AdamW.loadState';
    this.live(fn);
    checkInteger(fn, 'state.step', state.step, 0);
    for (const name of state.params.keys()) {
      if (!this.names.includes(name))
        throw new InvalidArgumentError(`${fn}: the state holds ${name}, which is not a parameter`, 'state');
    }
    const entries = this.params.map(([name, p]) => {
      const entry = state.params.get(name);
      if (entry === undefined)
        throw new InvalidArgumentError(`${fn}: the state must hold ${name}, it is missing`, 'state');
      if (entry.expAvg.length !== p.numel || entry.expAvgSq.length !== p.numel) {
        throw new InvalidArgumentError(
          `${fn}: the moments of ${name} must hold ${p.numel} values, got ${entry.expAvg.length} and ${entry.expAvgSq.length}`,
          'state',
        );
      }
      return entry;
    });
    this.moments.write(
      entries.map((e) => e.expAvg),
      entries.map((e) => e.expAvgSq),
    );
    this.steps = state.step;
  }

  /** Frees the moments and the segment table. Idempotent; the parameters stay the caller's. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.moments.dispose();
    this.table.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private live(caller: string): void {
    if (this.disposed) throw new DisposedError(`${caller}: the optimizer was disposed`);
  }
}
