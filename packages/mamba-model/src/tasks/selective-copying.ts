// Selective Copying (Mamba paper §4.1.1, appendix E.1): `dataTokens` data tokens at random
// positions among noise, then as many markers; at each marker the model outputs the next data
// token in order. It needs content-aware memory: which tokens to keep depends on what they are,
// not on where they are (an LTI model can only remember by position).
//   row: [ context: seqLen - dataTokens positions, noise except dataTokens data tokens ]
//        [ dataTokens markers ]
//   answers (at the markers): the data tokens in the order they appeared
// Vocabulary: 0 = noise, vocabSize - 1 = marker, 1 .. vocabSize - 2 = data tokens.

import type { TaskRandom } from './random.js';
import { type RowSource, type SyntheticTask, checkIntegerIn } from './task.js';

/** Sizes of the Selective Copying task (defaults: the paper's). */
export interface SelectiveCopyingOptions {
  /** Sequence length, context plus markers; default 4096. */
  seqLen?: number;
  /** Data tokens to copy per row; default 16. */
  dataTokens?: number;
  /** Vocabulary size including the noise token and the marker; default 16. */
  vocabSize?: number;
}

/** The paper's sizes: L = 4096, 16 data tokens, vocabulary 16. */
export const SELECTIVE_COPYING_DEFAULTS = { seqLen: 4096, dataTokens: 16, vocabSize: 16 } as const;

/** `k` distinct integers of [0, n), ascending (Floyd's sampling: k draws). */
function distinctSorted(rng: TaskRandom, n: number, k: number): Int32Array {
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = rng.int(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return Int32Array.from(chosen).sort();
}

/** The Selective Copying task; `row(rng)` draws one sequence. */
export class SelectiveCopying implements SyntheticTask {
  readonly name = 'selective-copying';
  readonly seqLen: number;
  readonly vocabSize: number;
  readonly dataTokens: number;
  readonly noiseToken = 0;
  readonly markerToken: number;

  constructor(options: SelectiveCopyingOptions = {}) {
    const fn = 'SelectiveCopying';
    this.vocabSize = checkIntegerIn(
      fn,
      'vocabSize',
      options.vocabSize ?? SELECTIVE_COPYING_DEFAULTS.vocabSize,
      3,
    );
    this.dataTokens = checkIntegerIn(
      fn,
      'dataTokens',
      options.dataTokens ?? SELECTIVE_COPYING_DEFAULTS.dataTokens,
      1,
    );
    this.seqLen = checkIntegerIn(
      fn,
      'seqLen',
      options.seqLen ?? SELECTIVE_COPYING_DEFAULTS.seqLen,
      2 * this.dataTokens,
    );
    this.markerToken = this.vocabSize - 1;
  }

  get answerCount(): number {
    return this.dataTokens;
  }

  /** Context positions (before the markers). */
  get contextLength(): number {
    return this.seqLen - this.dataTokens;
  }

  withSeqLen(seqLen: number): SelectiveCopying {
    return new SelectiveCopying({ seqLen, dataTokens: this.dataTokens, vocabSize: this.vocabSize });
  }

  row(rng: TaskRandom): RowSource {
    const context = this.contextLength;
    const positions = distinctSorted(rng, context, this.dataTokens);
    const answers = Int32Array.from({ length: this.dataTokens }, () => 1 + rng.int(this.vocabSize - 2));
    const { noiseToken, markerToken } = this;
    let t = 0;
    let nextData = 0;
    return {
      answers,
      emit(out, offset, count) {
        for (let i = 0; i < count; i++, t++) {
          if (t >= context) out[offset + i] = markerToken;
          else if (positions[nextData] === t) out[offset + i] = answers[nextData++]!;
          else out[offset + i] = noiseToken;
        }
      },
    };
  }
}
