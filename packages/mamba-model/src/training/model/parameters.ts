// A Mamba model's trainable parameters: f32 master weights on the GPU under their Hugging Face
// names (`backbone.layers.0.mixer.A_log`...), read from a checkpoint (any stored dtype, upcast
// once) or initialised as `MambaForCausalLM._init_weights` does. The training loss, the
// optimizer and checkpoint saving all address parameters by these names.

import { type GpuContext, InvalidArgumentError, Tensor } from '@mamba-webgpu/tensor';
import type { Checkpoint } from '../../loading/checkpoint.js';
import type { MambaConfig } from '../../loading/config.js';
import { decodeToFloat32 } from '../../loading/safetensors.js';
import { weightSpec } from '../../loading/weight-spec.js';
import { SeededInit } from './init.js';

/** HF names of the parameters of `config`, in forward order (no `lm_head.weight` when tied). */
export function parameterNames(config: MambaConfig): string[] {
  return weightSpec(config)
    .filter((e) => e.required && !(e.role === 'lmHead' && config.tieEmbeddings))
    .map((e) => e.names.hf);
}

/** One parameter a set must hold: its name, shape and the shape's legend (for errors). */
export interface ParameterEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly legend: string;
}

/** The parameters of a Mamba model of `config` (HF names, forward order, shapes). */
export function parameterSpec(config: MambaConfig): ParameterEntry[] {
  return weightSpec(config)
    .filter((e) => e.required && !(e.role === 'lmHead' && config.tieEmbeddings))
    .map((e) => ({ name: e.names.hf, shape: e.shape, legend: e.legend }));
}

/** The parameters of one model: name -> f32 tensor. Dispose to free them. */
export class MambaParameters {
  private constructor(
    readonly config: MambaConfig,
    readonly tensors: ReadonlyMap<string, Tensor<'f32'>>,
  ) {}

  /**
   * Wraps tensors (taking ownership); checks every expected name and shape is there. `expected`
   * defaults to the Mamba model's parameters (`parameterSpec`); a variant block (the LTI
   * ablation) passes its own.
   */
  static fromTensors(
    config: MambaConfig,
    tensors: Map<string, Tensor<'f32'>>,
    expected: readonly ParameterEntry[] = parameterSpec(config),
  ): MambaParameters {
    for (const e of expected) {
      const t = tensors.get(e.name);
      if (!t) throw new InvalidArgumentError(`MambaParameters: missing ${e.name} ${e.legend}`, 'tensors');
      t.expectShape('MambaParameters', e.name, e.shape, e.legend);
    }
    return new MambaParameters(config, tensors);
  }

  /** Reads every tensor of an opened checkpoint into f32 parameters. */
  static async fromCheckpoint(ctx: GpuContext, checkpoint: Checkpoint): Promise<MambaParameters> {
    const config = checkpoint.config;
    const byKey = new Map(weightSpec(config).map((e) => [e.key, e]));
    const tensors = new Map<string, Tensor<'f32'>>();
    try {
      for await (const t of checkpoint.readTensors()) {
        const entry = byKey.get(t.key);
        if (!entry) continue;
        const values = decodeToFloat32(t);
        tensors.set(entry.names.hf, Tensor.fromArray(ctx, values, entry.shape, 'f32', entry.names.hf));
      }
      return MambaParameters.fromTensors(config, tensors);
    } catch (error) {
      for (const t of tensors.values()) t.dispose();
      throw error;
    }
  }

  /**
   * Fresh parameters, seeded, as the official `mamba_ssm` initialises a Mamba LM
   * (`MambaLMHeadModel`: PyTorch's layer defaults, then its `_init_weights`): in_proj, x_proj and
   * an untied lm_head uniform(+-1/sqrt(fan_in)) (nn.Linear's kaiming-uniform default, which the
   * official init keeps); out_proj the same divided by sqrt(nLayer); the embedding normal(0, 0.02);
   * dt_proj weight uniform(+-dtRank^-0.5); dt_proj bias the inverse softplus of
   * dt = exp(uniform(log 1e-3, log 1e-1)); A_log = log(1..dState); D = 1; norms 1; conv weight
   * and bias uniform(+-1/sqrt(dConv)) (nn.Conv1d's default, fan_in = dConv for a depthwise conv);
   * linear biases 0. (Until 2026-12-03 every linear weight was normal(0, 0.02): B and C, the
   * x_proj outputs, started 2-3x smaller than the official init's, which slowed the selective
   * model on Selective Copying.)
   */
  static random(ctx: GpuContext, config: MambaConfig, seed = 0): MambaParameters {
    const rng = new SeededInit(seed);
    const tensors = new Map<string, Tensor<'f32'>>();
    for (const e of weightSpec(config)) {
      if (!e.required || (e.role === 'lmHead' && config.tieEmbeddings)) continue;
      const n = e.shape.reduce((p, d) => p * d, 1);
      const values = new Float32Array(n);
      switch (e.role) {
        case 'norm':
        case 'normF':
        case 'd':
          values.fill(1);
          break;
        case 'aLog':
          for (let i = 0; i < n; i++) values[i] = Math.log((i % config.dState) + 1);
          break;
        case 'dtProj': {
          const bound = config.dtRank ** -0.5;
          for (let i = 0; i < n; i++) values[i] = rng.uniform(-bound, bound);
          break;
        }
        case 'dtProjBias':
          for (let i = 0; i < n; i++) {
            const dt = Math.max(1e-4, Math.exp(rng.uniform(Math.log(1e-3), Math.log(1e-1))));
            values[i] = dt + Math.log(-Math.expm1(-dt));
          }
          break;
        case 'conv1dWeight':
        case 'conv1dBias': {
          const bound = 1 / Math.sqrt(config.dConv);
          for (let i = 0; i < n; i++) values[i] = rng.uniform(-bound, bound);
          break;
        }
        case 'inProjBias':
        case 'outProjBias':
          break;
        case 'embedding':
          for (let i = 0; i < n; i++) values[i] = rng.normal() * 0.02;
          break;
        default: {
          // nn.Linear's default: uniform(+-1/sqrt(fan_in)), weights stored (out, in).
          const fanIn = e.shape[e.shape.length - 1]!;
          const bound = 1 / Math.sqrt(fanIn) / (e.role === 'outProj' ? Math.sqrt(config.nLayer) : 1);
          for (let i = 0; i < n; i++) values[i] = rng.uniform(-bound, bound);
        }
      }
      tensors.set(e.names.hf, Tensor.fromArray(ctx, values, e.shape, 'f32', e.names.hf));
    }
    return new MambaParameters(config, tensors);
  }

  /** The parameter called `name`; a typed error naming the known ones otherwise. */
  get(name: string): Tensor<'f32'> {
    const t = this.tensors.get(name);
    if (!t)
      throw new InvalidArgumentError(
        `MambaParameters.get: no parameter ${name} (have ${this.tensors.size}, e.g. ${[...this.tensors.keys()][0]})`,
        'name',
      );
    return t;
  }

  /** The parameter called `name`, or undefined when the config has none (biases). */
  maybe(name: string): Tensor<'f32'> | undefined {
    return this.tensors.get(name);
  }

  /** Parameter names in forward order. */
  names(): string[] {
    return [...this.tensors.keys()];
  }

  /** Host copies of every parameter (for saving). */
  async read(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, t] of this.tensors) out.set(name, await t.read());
    return out;
  }

  /** Frees every parameter. Idempotent. */
  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
  }
}
