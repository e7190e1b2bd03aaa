// The Train page's session in Node (on Node's WebGPU adapter; the page's frame hooks stubbed):
// a run stopped and continued gives the same losses as one run straight through (the data
// stream, the weights and the Adam state carry over), a new lr on Continue keeps the Adam step
// count, Stop ends the loop before the next step, and the Δ sample follows the evaluations.

import { getGpuContext } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TASK_PRESETS, type TrainSettings } from './settings.js';
import { TrainSession } from './train-session.js';

const SETTINGS: TrainSettings = {
  ...TASK_PRESETS['selective-copying'],
  seqLen: 16,
  dataTokens: 4,
  dModel: 16,
  batch: 2,
  lr: 0.01,
  steps: 6,
  evalEvery: 3,
  evalSequences: 4,
};

const globals = globalThis as unknown as Record<string, unknown>;
const stubbed = ['document', 'requestAnimationFrame', 'cancelAnimationFrame'].filter((k) => !(k in globals));

beforeAll(() => {
  // What the session needs of a page: animation frames and the document's visibility.
  globals.document ??= { hidden: false, addEventListener() {}, removeEventListener() {} };
  globals.requestAnimationFrame ??= (callback: (now: number) => void) =>
    setTimeout(() => callback(performance.now()), 1);
  globals.cancelAnimationFrame ??= (handle: ReturnType<typeof setTimeout>) => clearTimeout(handle);
});

afterAll(() => {
  for (const k of stubbed) delete globals[k];
});

const session = () => new TrainSession(getGpuContext());

describe('TrainSession', () => {
  it('Stop then Continue trains on exactly as one uninterrupted run', async () => {
    const straight = session();
    await straight.train(SETTINGS);
    expect(straight.status).toBe('done');
    expect(straight.curve.map((p) => p.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(straight.evals.map((e) => e.step)).toEqual([3, 6]);

    const split = session();
    await split.train({ ...SETTINGS, steps: 3 });
    expect(split.status).toBe('done');
    await split.continue(SETTINGS);
    expect(split.status).toBe('done');
    expect(split.curve.map((p) => p.loss)).toEqual(straight.curve.map((p) => p.loss));
    expect(split.optimizerSteps).toBe(6);
    expect(split.sample?.step).toBe(6);
    expect(split.sample?.meanDelta).toHaveLength(SETTINGS.nLayer);
    const first = split.sample!;
    await split.nextSample();
    expect(split.sample?.row).toBe(first.row + 1);
    expect(split.sample?.ids).not.toEqual(first.ids);
    await straight.dispose();
    await split.dispose();
  });

  it('a new lr on Continue keeps the Adam state and changes the following steps', async () => {
    const reference = session();
    await reference.train(SETTINGS);
    const changed = session();
    await changed.train({ ...SETTINGS, steps: 3 });
    await changed.continue({ ...SETTINGS, lr: 0.002 });
    expect(changed.optimizerSteps).toBe(6);
    const [a, b] = [reference, changed].map((s) => s.curve.map((p) => p.loss));
    expect(b!.slice(0, 4)).toEqual(a!.slice(0, 4)); // step 4's loss is taken before its update
    expect(b![4]).not.toBe(a![4]);
    await reference.dispose();
    await changed.dispose();
  });

  it('Stop ends the loop after the step in flight; sizes need a new run', async () => {
    const s = session();
    const stopAfterTwo = s.subscribe(() => {
      if (s.curve.length === 2) s.stop();
    });
    await s.train({ ...SETTINGS, steps: 50 });
    stopAfterTwo();
    expect(s.status).toBe('stopped');
    expect(s.curve).toHaveLength(2);
    expect(s.evals.at(-1)?.step, 'scored where it stopped').toBe(2);
    expect(s.needsNewRun({ ...SETTINGS, steps: 50, lr: 0.5 })).toBe(false);
    expect(s.needsNewRun({ ...SETTINGS, steps: 50, seed: 1 })).toBe(true);
    expect(s.needsNewRun({ ...SETTINGS, steps: 50, dModel: 32 })).toBe(true);
    await s.dispose();
  });
});
