// Induction Heads (Mamba paper §4.1.2, Table 2; the H3 paper's synthetic): a special token
// appears once at a random position, followed by a random token; the sequence ends with the
// special token again and the model must recall the token that followed its first occurrence
// (associative recall, then copy). The loss is on that last position only (mamba #62, #298:
// a loss on every position does not train).
//   row: random ordinary tokens, with ids[p] = special, ids[p + 1] = answer (p uniform in
//        [0, seqLen - 3]) and ids[seqLen - 1] = special; answer at position seqLen - 1
// Vocabulary: vocabSize - 1 = special, 0 .. vocabSize - 2 = ordinary tokens.

import type { TaskRandom } from './random.js';
import { type RowSource, type SyntheticTask, checkIntegerIn } from './task.js';

/** Sizes of the Induction Heads task. */
export interface InductionHeadsOptions {
  /** Sequence length; default 256 (the paper's training length). */
  seqLen?: number;
  /** Vocabulary size including the special token; default 16. */
  vocabSize?: number;
}

/** The paper's training sizes: L = 256, vocabulary 16. */
export const INDUCTION_HEADS_DEFAULTS = { seqLen: 256, vocabSize: 16 } as const;

/** The Induction Heads task; `row(rng)` draws one sequence (streamed: any length fits memory). */
export class InductionHeads implements SyntheticTask {
  readonly name = 'induction-heads';
  readonly seqLen: number;
  readonly vocabSize: number;
  readonly specialToken: number;
  readonly answerCount = 1;

  constructor(options: InductionHeadsOptions = {}) {
    const fn = 'InductionHeads';
    this.vocabSize = checkIntegerIn(
      fn,
      'vocabSize',
      options.vocabSize ?? INDUCTION_HEADS_DEFAULTS.vocabSize,
      3,
    );
    this.seqLen = checkIntegerIn(fn, 'seqLen', options.seqLen ?? INDUCTION_HEADS_DEFAULTS.seqLen, 3);
    this.specialToken = this.vocabSize - 1;
  }

  withSeqLen(seqLen: number): InductionHeads {
    return new InductionHeads({ seqLen, vocabSize: this.vocabSize });
  }

  row(rng: TaskRandom): RowSource {
    const { seqLen, specialToken } = this;
    const ordinary = this.vocabSize - 1;
    const trigger = rng.int(seqLen - 2);
    const answer = rng.int(ordinary);
    let t = 0;
    return {
      answers: Int32Array.of(answer),
      emit(out, offset, count) {
        for (let i = 0; i < count; i++, t++) {
          if (t === trigger || t === seqLen - 1) out[offset + i] = specialToken;
          else if (t === trigger + 1) out[offset + i] = answer;
          else out[offset + i] = rng.int(ordinary);
        }
      },
    };
  }
}
