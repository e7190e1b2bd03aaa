// The synthetic tasks' models (paper §4.1: 2 layers, d_model 64, Mamba blocks with the default
// expand 2, d_state 16, conv width 4), as MambaConfig objects built through the one config
// schema (`parseMambaConfig`), so they train, evaluate and save like any checkpoint's.

import { type MambaConfig, parseMambaConfig } from '../loading/config.js';
import { checkIntegerIn } from './task.js';

/** Sizes of a task model (defaults: the paper's). */
export interface TaskModelOptions {
  /** Residual width; default 64. */
  dModel?: number;
  /** Layers; default 2. */
  nLayer?: number;
  /** Vocabulary (the task's); default 16. */
  vocabSize?: number;
  /** SSM state size; default 16. */
  dState?: number;
  /** dInner = expand * dModel; default 2. */
  expand?: number;
}

/** The paper's synthetic-task model: 2 layers, dModel 64, vocabulary 16. */
export const TASK_MODEL_DEFAULTS = { dModel: 64, nLayer: 2, vocabSize: 16, dState: 16, expand: 2 } as const;

/** A MambaConfig for a task model (tied embeddings, no vocabulary padding, dtRank ceil(dModel / 16)). */
export function taskModelConfig(options: TaskModelOptions = {}): MambaConfig {
  const fn = 'taskModelConfig';
  const o = { ...TASK_MODEL_DEFAULTS, ...options };
  return parseMambaConfig(
    {
      hidden_size: checkIntegerIn(fn, 'dModel', o.dModel, 1),
      num_hidden_layers: checkIntegerIn(fn, 'nLayer', o.nLayer, 1),
      vocab_size: checkIntegerIn(fn, 'vocabSize', o.vocabSize, 2),
      state_size: checkIntegerIn(fn, 'dState', o.dState, 1),
      expand: checkIntegerIn(fn, 'expand', o.expand, 1),
      conv_kernel: 4,
      pad_vocab_size_multiple: 1,
      tie_word_embeddings: true,
      use_bias: false,
      use_conv_bias: true,
    },
    `task model (dModel ${o.dModel}, ${o.nLayer} layers)`,
  );
}
