import { SelectiveCopying } from '@mamba-webgpu/mamba-model';
import { describe, expect, it } from 'vitest';
import { chanceAccuracy, checkSettings, makeTask, TASK_PRESETS } from './settings.js';

describe('train settings', () => {
  it('accepts both presets', () => {
    for (const preset of Object.values(TASK_PRESETS)) expect(checkSettings({ ...preset })).toEqual(preset);
  });
  it('names the first bad setting and the expected range', () => {
    const good = TASK_PRESETS['induction-heads'];
    expect(() => checkSettings({ ...good, task: 'copy' })).toThrow(
      'task must be selective-copying or induction-heads, got copy',
    );
    expect(() => checkSettings({ ...good, seqLen: 2 })).toThrow(
      'seqLen must be an integer in [4, 1024], got 2',
    );
    expect(() => checkSettings({ ...good, batch: 2.5 })).toThrow('batch must be an integer');
    expect(() => checkSettings({ ...good, steps: Number.NaN })).toThrow(
      'steps must be an integer in [1, 1000000], got NaN',
    );
    expect(() => checkSettings({ ...good, lr: 0 })).toThrow('lr must be a number in (0, 1], got 0');
  });
  it('checks that Selective Copying rows have room for the markers', () => {
    const copying = TASK_PRESETS['selective-copying'];
    expect(() => checkSettings({ ...copying, seqLen: 15, dataTokens: 8 })).toThrow(
      'seqLen must be at least 2 * dataTokens = 16',
    );
    expect(checkSettings({ ...TASK_PRESETS['induction-heads'], seqLen: 15, dataTokens: 8 }).seqLen).toBe(15);
  });
  it('builds the task and its chance accuracy', () => {
    const task = makeTask(TASK_PRESETS['selective-copying']);
    expect(task).toBeInstanceOf(SelectiveCopying);
    expect([task.seqLen, task.answerCount, task.vocabSize]).toEqual([64, 8, 16]);
    expect(chanceAccuracy(TASK_PRESETS['selective-copying'])).toBeCloseTo(1 / 14);
    expect(chanceAccuracy(TASK_PRESETS['induction-heads'])).toBeCloseTo(1 / 7);
  });
});
