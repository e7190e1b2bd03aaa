// Tests of the optimizer state file: a round trip keeps every bit, the step and the
// hyper-parameters; malformed files give typed errors naming the file and tensor.

import { describe, expect, it } from 'vitest';
import { buildSafetensors } from '../../../test/loading/helpers.js';
import { bytesSource } from '../../loading/byte-source.js';
import { SafetensorsError } from '../../loading/errors.js';
import { readSafetensorsHeader } from '../../loading/safetensors.js';
import { type OptimizerState, readOptimizerState, serializeOptimizerState } from './optimizer-state.js';

const state: OptimizerState = {
  step: 7,
  params: new Map([
    [
      'backbone.norm_f.weight',
      { shape: [3], expAvg: new Float32Array([1e-30, -0, 3]), expAvgSq: new Float32Array([4, 5, 6]) },
    ],
    [
      'backbone.layers.0.mixer.A_log',
      { shape: [1, 2], expAvg: new Float32Array([Number.NaN, 1]), expAvgSq: new Float32Array(2) },
    ],
  ]),
  hyper: { lr: 1e-3, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1, noDecay: 'A_log,.D,bias,norm' },
};

const bitsOf = (a: Float32Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];

describe('optimizer state file', () => {
  it('round-trips moments bit for bit, the step and the hyper-parameters', async () => {
    const bytes = serializeOptimizerState(state);
    const source = bytesSource(bytes, 'optimizer.safetensors');
    const header = await readSafetensorsHeader(source);
    expect([...header.tensors.keys()].sort()).toEqual([
      'exp_avg.backbone.layers.0.mixer.A_log',
      'exp_avg.backbone.norm_f.weight',
      'exp_avg_sq.backbone.layers.0.mixer.A_log',
      'exp_avg_sq.backbone.norm_f.weight',
    ]);
    expect(header.metadata).toMatchObject({
      optimizer: 'AdamW',
      step: '7',
      betas: '0.9,0.95',
      weight_decay: '0.1',
    });
    const read = await readOptimizerState(source);
    expect(read.step).toBe(7);
    expect(read.hyper).toEqual(state.hyper);
    for (const [name, entry] of state.params) {
      const got = read.params.get(name)!;
      expect(got.shape).toEqual(entry.shape);
      expect(bitsOf(got.expAvg)).toEqual(bitsOf(entry.expAvg));
      expect(bitsOf(got.expAvgSq)).toEqual(bitsOf(entry.expAvgSq));
    }
  });

  it('refuses files that are not a complete AdamW state', async () => {
    const read = (bytes: Uint8Array) => readOptimizerState(bytesSource(bytes, 'optimizer.safetensors'));
    const meta = {
      optimizer: 'AdamW',
      format_version: '1',
      step: '1',
      lr: '1',
      betas: '0.9,0.99',
      eps: '1e-8',
      weight_decay: '0',
    };
    const f32 = (n: number) => new Uint8Array(n * 4);
    const cases: [Uint8Array, RegExp][] = [
      [
        buildSafetensors([], { ...meta, optimizer: 'SGD' }),
        /must be an AdamW state of format_version 1, got optimizer "SGD"/,
      ],
      [
        buildSafetensors([], { ...meta, step: '-1' }),
        /step in optimizer.safetensors must be an integer >= 0, got -1/,
      ],
      [buildSafetensors([], { ...meta, betas: '0.9' }), /betas in optimizer.safetensors must be two numbers/],
      [
        buildSafetensors([{ name: 'exp_avg.w', dtype: 'F32', shape: [1], data: f32(1) }], meta),
        /must hold exp_avg_sq.w beside exp_avg.w/,
      ],
      [
        buildSafetensors([{ name: 'exp_avg_sq.w', dtype: 'F32', shape: [1], data: f32(1) }], meta),
        /must hold exp_avg.w beside exp_avg_sq.w/,
      ],
      [
        buildSafetensors([{ name: 'other', dtype: 'F32', shape: [1], data: f32(1) }], meta),
        /holds other, expected only exp_avg/,
      ],
      [
        buildSafetensors(
          [
            { name: 'exp_avg.w', dtype: 'F32', shape: [2], data: f32(2) },
            { name: 'exp_avg_sq.w', dtype: 'F32', shape: [1, 2], data: f32(2) },
          ],
          meta,
        ),
        /exp_avg_sq.w in optimizer.safetensors must be \(2\) like exp_avg.w, got \(1, 2\)/,
      ],
      [
        buildSafetensors(
          [
            { name: 'exp_avg.w', dtype: 'F16', shape: [2], data: new Uint8Array(4) },
            { name: 'exp_avg_sq.w', dtype: 'F16', shape: [2], data: new Uint8Array(4) },
          ],
          meta,
        ),
        /exp_avg.w in optimizer.safetensors must be F32, got F16/,
      ],
    ];
    for (const [bytes, pattern] of cases) {
      const error = await read(bytes).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SafetensorsError);
      expect((error as Error).message).toMatch(/^readOptimizerState: /);
      expect((error as Error).message).toMatch(pattern);
    }
  });
});
