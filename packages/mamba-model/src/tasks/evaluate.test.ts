// Scoring and the task model configs on the CPU: token and whole-row accuracy, argmax ties, the
// paper's 2-layer d_model 64 model, and typed errors.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { taskModelConfig } from './config.js';
import { INDUCTION_HEADS_EVAL_LENGTHS, scoreAnswers } from './evaluate.js';
import { argmaxRows } from './predict.js';

describe('scoreAnswers', () => {
  it('counts answer tokens and whole rows right', () => {
    const answers = Int32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    const predicted = Int32Array.of(1, 2, 3, 4, 0, 6, 0, 0, 0);
    expect(scoreAnswers(predicted, answers, 3)).toEqual({
      tokenAccuracy: 5 / 9,
      sequenceAccuracy: 1 / 3,
      sequences: 3,
      answersPerSequence: 3,
    });
    expect(scoreAnswers(answers, answers, 9).sequenceAccuracy).toBe(1);
  });

  it('refuses mismatched shapes', () => {
    expect(() => scoreAnswers(new Int32Array(4), new Int32Array(6), 3)).toThrow(
      /scoreAnswers: predicted and answers must both be \(rows, 3\), got 4 and 6 entries/,
    );
  });
});

describe('argmaxRows', () => {
  it('takes the first of ties', () => {
    expect(Array.from(argmaxRows(Float32Array.of(0, 2, 2, -1, -3, -1), 3))).toEqual([1, 0]);
  });
});

describe('taskModelConfig', () => {
  it("is the paper's model by default", () => {
    const c = taskModelConfig();
    expect([c.dModel, c.nLayer, c.vocabSize, c.dInner, c.dState, c.dConv, c.dtRank, c.tieEmbeddings]).toEqual(
      [64, 2, 16, 128, 16, 4, 4, true],
    );
  });

  it('takes smaller sizes and refuses bad ones', () => {
    expect(taskModelConfig({ dModel: 16, nLayer: 1 }).dInner).toBe(32);
    expect(() => taskModelConfig({ dModel: 0 })).toThrow(InvalidArgumentError);
    expect(() => taskModelConfig({ nLayer: 1.5 })).toThrow(
      /taskModelConfig: nLayer must be an integer >= 1, got 1.5/,
    );
  });
});

it('evaluates induction heads at 2^6 .. 2^20', () => {
  expect(INDUCTION_HEADS_EVAL_LENGTHS[0]).toBe(64);
  expect(INDUCTION_HEADS_EVAL_LENGTHS.at(-1)).toBe(2 ** 20);
  expect(INDUCTION_HEADS_EVAL_LENGTHS.length).toBe(15);
});
