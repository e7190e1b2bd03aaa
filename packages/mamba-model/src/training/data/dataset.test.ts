import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { batchAt, packTokens, parseIdsJson, seededPermutation } from './dataset.js';

describe('training data', () => {
  it('parses input_ids JSON and refuses bad rows with typed errors', () => {
    const d = parseIdsJson('{"input_ids": [[1, 2, 3], [4, 5, 6]]}', 10);
    expect([d.rows, d.seqLen, Array.from(d.ids)]).toEqual([2, 3, [1, 2, 3, 4, 5, 6]]);
    expect(() => parseIdsJson('{"input_ids": [[1, 2], [3]]}', 10)).toThrow(/row 1 has 1 ids/);
    expect(() => parseIdsJson('{"input_ids": [[1, 10]]}', 10)).toThrow(/\[0\]\[1\] = 10/);
    expect(() => parseIdsJson('{"input_ids": []}', 10)).toThrow(InvalidArgumentError);
    expect(() => parseIdsJson('not json', 10)).toThrow(/not valid JSON/);
    expect(() => parseIdsJson('{"input_ids": [[1.5, 2]]}', 10)).toThrow(/1.5/);
  });

  it('packs documents into fixed-length rows with a separator', () => {
    const d = packTokens([[1, 2, 3], [4, 5]], 3, 0);
    expect(Array.from(d.ids)).toEqual([1, 2, 3, 0, 4, 5]);
    expect(() => packTokens([[1]], 3)).toThrow(/fewer than one sequence/);
  });

  it('seeded order: a permutation, reproducible, different per seed', () => {
    const a = seededPermutation(50, 1);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(Array.from(seededPermutation(50, 1))).toEqual(Array.from(a));
    expect(Array.from(seededPermutation(50, 2))).not.toEqual(Array.from(a));
  });

  it('batches: whole dataset by default, epochs cycle', () => {
    const d = parseIdsJson('{"input_ids": [[1, 1], [2, 2], [3, 3]]}', 10);
    expect(Array.from(batchAt(d, 5))).toEqual([1, 1, 2, 2, 3, 3]);
    expect(Array.from(batchAt(d, 1, { batchSize: 1 }))).toEqual([2, 2]);
    expect(Array.from(batchAt(d, 3, { batchSize: 1 }))).toEqual([1, 1]);
    expect(() => batchAt(d, 0, { batchSize: 4 })).toThrow(/batchSize/);
  });
});
