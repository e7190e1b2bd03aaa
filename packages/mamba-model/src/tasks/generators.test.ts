// The task generators on the CPU: shapes, vocabulary, answers where the task says, loss targets
// on the answers only, seeded reproducibility, rows independent of batching and of chunked
// reading, and typed errors for bad sizes.

import { IGNORE_INDEX, InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { InductionHeads } from './induction-heads.js';
import { SelectiveCopying } from './selective-copying.js';
import { TaskSampler, TaskStream, taskBatch } from './task.js';

const row = (ids: Int32Array, seqLen: number, b: number) =>
  Array.from(ids.subarray(b * seqLen, (b + 1) * seqLen));

describe('SelectiveCopying', () => {
  it('has the paper sizes by default', () => {
    const task = new SelectiveCopying();
    expect([task.seqLen, task.dataTokens, task.vocabSize, task.answerCount]).toEqual([4096, 16, 16, 16]);
    expect([task.noiseToken, task.markerToken]).toEqual([0, 15]);
  });

  for (const [seqLen, dataTokens] of [
    [4096, 16],
    [64, 16],
    [32, 16],
    [37, 3],
  ] as const) {
    it(`rows of L ${seqLen} with ${dataTokens} data tokens: noise, data in order, markers, answer targets`, () => {
      const task = new SelectiveCopying({ seqLen, dataTokens });
      const batch = 5;
      const { ids, targets, answers } = taskBatch(task, 7, 0, batch);
      expect(ids.length).toBe(batch * seqLen);
      expect(targets.length).toBe(batch * seqLen);
      expect(answers.length).toBe(batch * dataTokens);
      for (let b = 0; b < batch; b++) {
        const r = row(ids, seqLen, b);
        const context = r.slice(0, seqLen - dataTokens);
        const data = context.filter((t) => t !== task.noiseToken);
        expect(data, `row ${b}: the data tokens in order are the answers`).toEqual(
          Array.from(answers.subarray(b * dataTokens, (b + 1) * dataTokens)),
        );
        expect(data.every((t) => t >= 1 && t <= task.vocabSize - 2)).toBe(true);
        expect(r.slice(seqLen - dataTokens)).toEqual(new Array(dataTokens).fill(task.markerToken));
        const t = row(targets, seqLen, b);
        expect(t.slice(0, seqLen - dataTokens).every((x) => x === IGNORE_INDEX)).toBe(true);
        expect(t.slice(seqLen - dataTokens)).toEqual(data);
      }
    });
  }

  it('places data tokens all over the context and draws every data token', () => {
    const task = new SelectiveCopying({ seqLen: 256 });
    const { ids, answers } = taskBatch(task, 1, 0, 200);
    const positions = new Set<number>();
    for (let i = 0; i < ids.length; i++) if (ids[i] !== 0 && ids[i] !== 15) positions.add(i % 256);
    expect(Math.min(...positions)).toBeLessThan(8);
    expect(Math.max(...positions)).toBeGreaterThan(231);
    expect(new Set(answers).size).toBe(14);
  });

  it('refuses sizes that do not fit, with typed errors', () => {
    expect(() => new SelectiveCopying({ seqLen: 31 })).toThrow(
      /SelectiveCopying: seqLen must be an integer >= 32, got 31/,
    );
    expect(() => new SelectiveCopying({ vocabSize: 2 })).toThrow(InvalidArgumentError);
    expect(() => new SelectiveCopying({ dataTokens: 0 })).toThrow(
      /dataTokens must be an integer >= 1, got 0/,
    );
  });
});

describe('InductionHeads', () => {
  for (const seqLen of [3, 16, 256, 1000]) {
    it(`rows of L ${seqLen}: the special token twice, its first successor is the answer, last-token target`, () => {
      const task = new InductionHeads({ seqLen });
      const batch = 50;
      const { ids, targets, answers } = taskBatch(task, 3, 0, batch);
      expect(answers.length).toBe(batch);
      for (let b = 0; b < batch; b++) {
        const r = row(ids, seqLen, b);
        const specials = r.flatMap((t, i) => (t === task.specialToken ? [i] : []));
        expect(specials.length, `row ${b}`).toBe(2);
        expect(specials[1]).toBe(seqLen - 1);
        expect(r[specials[0]! + 1]).toBe(answers[b]);
        expect(answers[b]).toBeLessThan(task.specialToken);
        const t = row(targets, seqLen, b);
        expect(t.slice(0, -1).every((x) => x === IGNORE_INDEX)).toBe(true);
        expect(t[seqLen - 1]).toBe(answers[b]);
      }
    });
  }

  it('puts the first special token anywhere in [0, L - 3]', () => {
    const task = new InductionHeads({ seqLen: 64 });
    const { ids } = taskBatch(task, 9, 0, 2000);
    const firsts = new Set<number>();
    for (let b = 0; b < 2000; b++) firsts.add(row(ids, 64, b).indexOf(task.specialToken));
    expect(Math.min(...firsts)).toBe(0);
    expect(Math.max(...firsts)).toBe(61);
  });

  it('withSeqLen keeps the vocabulary', () => {
    const task = new InductionHeads({ vocabSize: 8 }).withSeqLen(2 ** 20);
    expect([task.seqLen, task.vocabSize, task.specialToken]).toEqual([2 ** 20, 8, 7]);
  });
});

describe('seeded streams', () => {
  const tasks = [new SelectiveCopying({ seqLen: 96 }), new InductionHeads({ seqLen: 96 })];
  for (const task of tasks) {
    it(`${task.name}: the same seed gives the same rows, another seed others`, () => {
      const a = taskBatch(task, 11, 0, 4);
      const b = taskBatch(task, 11, 0, 4);
      const c = taskBatch(task, 12, 0, 4);
      expect(b.ids).toEqual(a.ids);
      expect(b.answers).toEqual(a.answers);
      expect(c.ids).not.toEqual(a.ids);
    });

    it(`${task.name}: a row does not depend on the batch it is drawn in`, () => {
      const all = taskBatch(task, 5, 0, 6);
      const tail = taskBatch(task, 5, 3, 3);
      expect(tail.ids).toEqual(all.ids.subarray(3 * 96));
      expect(tail.answers).toEqual(all.answers.subarray(3 * task.answerCount));
    });

    it(`${task.name}: reading in chunks gives the same rows`, () => {
      const whole = new TaskStream(task, 2, 10, 3).next(96);
      const stream = new TaskStream(task, 2, 10, 3);
      const parts = [1, 37, 50, 8].map((n) => stream.next(n));
      for (let b = 0; b < 3; b++) {
        let pos = 0;
        for (const p of parts) {
          const n = p.length / 3;
          expect(Array.from(p.subarray(b * n, (b + 1) * n))).toEqual(row(whole, 96, b).slice(pos, pos + n));
          pos += n;
        }
      }
      expect(() => stream.next(1)).toThrow(/TaskStream.next: length must be an integer in \[1, 0\]/);
    });

    it(`${task.name}: a sampler draws fresh consecutive rows`, () => {
      const sampler = new TaskSampler(task, 4);
      const first = sampler.next(2);
      const second = sampler.next(3);
      expect(sampler.drawn).toBe(5);
      expect(first.ids).toEqual(taskBatch(task, 4, 0, 2).ids);
      expect(second.ids).toEqual(taskBatch(task, 4, 2, 3).ids);
    });
  }

  it('streams a row of 2^20 positions chunk by chunk', () => {
    const task = new InductionHeads({ seqLen: 2 ** 20 });
    const stream = new TaskStream(task, 1, 0, 2);
    let specials = 0;
    while (stream.position < task.seqLen) {
      const chunk = stream.next(Math.min(2 ** 16, task.seqLen - stream.position));
      for (const t of chunk) if (t === task.specialToken) specials++;
    }
    expect(specials).toBe(4);
  });
});
