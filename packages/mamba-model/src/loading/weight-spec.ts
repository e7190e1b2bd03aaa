// The tensors a Mamba checkpoint must hold, derived from a MambaConfig: canonical internal keys,
// their names under the Hugging Face and the original state-spaces naming, and their shapes.
// Also detects which naming a checkpoint uses.

import type { MambaConfig } from './config.js';
import { SafetensorsError } from './errors.js';

/** Tensor naming of a checkpoint: HF `backbone.embeddings.*`, or original `backbone.embedding.*`. */
export type WeightNaming = 'hf' | 'original';

/** What a tensor is for, independent of its layer. */
export type WeightRole =
  | 'embedding'
  | 'normF'
  | 'lmHead'
  | 'norm'
  | 'inProj'
  | 'inProjBias'
  | 'conv1dWeight'
  | 'conv1dBias'
  | 'xProj'
  | 'dtProj'
  | 'dtProjBias'
  | 'aLog'
  | 'd'
  | 'outProj'
  | 'outProjBias';

/** One expected tensor. */
export interface WeightSpecEntry {
  /** Canonical internal key: `embedding`, `normF`, `lmHead`, `layers.3.inProj`, ... */
  readonly key: string;
  readonly role: WeightRole;
  /** Layer index for per-layer tensors. */
  readonly layer: number | undefined;
  /** Expected shape; for `embedding` and `lmHead` the rows may be padded (see `vocabRows`). */
  readonly shape: readonly number[];
  /** Absent tensors are an error when required; `lmHead` is optional when embeddings are tied. */
  readonly required: boolean;
  /** Dimension 0 is a vocabulary dimension that may hold padding rows. */
  readonly vocabRows: boolean;
  /** Names in the checkpoint under each naming. */
  readonly names: Readonly<Record<WeightNaming, string>>;
  /** Legend for messages: `(2*dInner, dModel)`. */
  readonly legend: string;
}

/** Per-layer mixer tensors: role, file-name suffix, shape, legend, present when. */
function mixerTensors(c: MambaConfig): [WeightRole, string, number[], string, boolean][] {
  return [
    ['inProj', 'in_proj.weight', [2 * c.dInner, c.dModel], '(2*dInner, dModel)', true],
    ['inProjBias', 'in_proj.bias', [2 * c.dInner], '(2*dInner)', c.projBias],
    ['conv1dWeight', 'conv1d.weight', [c.dInner, 1, c.dConv], '(dInner, 1, dConv)', true],
    ['conv1dBias', 'conv1d.bias', [c.dInner], '(dInner)', c.convBias],
    ['xProj', 'x_proj.weight', [c.dtRank + 2 * c.dState, c.dInner], '(dtRank + 2*dState, dInner)', true],
    ['dtProj', 'dt_proj.weight', [c.dInner, c.dtRank], '(dInner, dtRank)', true],
    ['dtProjBias', 'dt_proj.bias', [c.dInner], '(dInner)', true],
    ['aLog', 'A_log', [c.dInner, c.dState], '(dInner, dState)', true],
    ['d', 'D', [c.dInner], '(dInner)', true],
    ['outProj', 'out_proj.weight', [c.dModel, c.dInner], '(dModel, dInner)', true],
    ['outProjBias', 'out_proj.bias', [c.dModel], '(dModel)', c.projBias],
  ];
}

/**
 * The tensors a checkpoint for `config` holds, in forward-pass order. `lmHead` is listed with
 * `required: !config.tieEmbeddings`; when embeddings are tied the loader uses `embedding` for it.
 */
export function weightSpec(config: MambaConfig): WeightSpecEntry[] {
  const entries: WeightSpecEntry[] = [
    {
      key: 'embedding',
      role: 'embedding',
      layer: undefined,
      shape: [config.vocabSize, config.dModel],
      required: true,
      vocabRows: true,
      names: { hf: 'backbone.embeddings.weight', original: 'backbone.embedding.weight' },
      legend: '(vocabSize, dModel)',
    },
  ];
  for (let layer = 0; layer < config.nLayer; layer++) {
    const prefix = `backbone.layers.${layer}`;
    entries.push({
      key: `layers.${layer}.norm`,
      role: 'norm',
      layer,
      shape: [config.dModel],
      required: true,
      vocabRows: false,
      names: { hf: `${prefix}.norm.weight`, original: `${prefix}.norm.weight` },
      legend: '(dModel)',
    });
    for (const [role, suffix, shape, legend, present] of mixerTensors(config)) {
      if (!present) continue;
      const name = `${prefix}.mixer.${suffix}`;
      entries.push({
        key: `layers.${layer}.${role}`,
        role,
        layer,
        shape,
        required: true,
        vocabRows: false,
        names: { hf: name, original: name },
        legend,
      });
    }
  }
  entries.push(
    {
      key: 'normF',
      role: 'normF',
      layer: undefined,
      shape: [config.dModel],
      required: true,
      vocabRows: false,
      names: { hf: 'backbone.norm_f.weight', original: 'backbone.norm_f.weight' },
      legend: '(dModel)',
    },
    {
      key: 'lmHead',
      role: 'lmHead',
      layer: undefined,
      shape: [config.vocabSize, config.dModel],
      required: !config.tieEmbeddings,
      vocabRows: true,
      names: { hf: 'lm_head.weight', original: 'lm_head.weight' },
      legend: '(vocabSize, dModel)',
    },
  );
  return entries;
}

/**
 * Which naming a checkpoint's tensor names follow, from its embedding's name.
 * @param file the weights file (or index) for the error message
 */
export function detectNaming(tensorNames: Iterable<string>, file: string): WeightNaming {
  const names = new Set(tensorNames);
  if (names.has('backbone.embeddings.weight')) return 'hf';
  if (names.has('backbone.embedding.weight')) return 'original';
  const sample = [...names].slice(0, 4).join(', ');
  throw new SafetensorsError(
    `detectNaming: ${file} must hold backbone.embeddings.weight (Hugging Face naming) or backbone.embedding.weight ` +
      `(state-spaces naming), got neither (first names: ${sample || 'none'}). Is this a Mamba checkpoint?`,
    'unknown-naming',
    file,
    'backbone.embeddings.weight',
  );
}
