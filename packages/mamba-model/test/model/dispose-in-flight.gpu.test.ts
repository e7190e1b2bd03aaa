// Lifetimes of generations in flight on the tiny fixture: `dispose()` during `stream`/`generate`
// stops them with a DisposedError (no id computed from freed weights), and an iterator left
// unfinished does not keep its generation graph alive through `releaseCaches()` or `dispose()`:
// the live buffer count goes back to where it was before the model was loaded.

import { DisposedError, getGpuContext, type GpuContext } from '@mamba-webgpu/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { fixturePath } from '../loading/helpers.js';

let ctx: GpuContext;
const prompt = [3, 17, 42];
const long = { maxTokens: 200, eos: false };

beforeAll(async () => {
  ctx = await getGpuContext();
});

async function load(): Promise<{ model: MambaModel; baseline: number }> {
  const baseline = ctx.stats().liveBuffers;
  const model = await loadModel(fixturePath('mamba-tiny'), { ctx, progress: false });
  return { model, baseline };
}

describe('dispose() and releaseCaches() with generations in flight', () => {
  it('dispose() during stream: the next step rejects with a DisposedError and every buffer is freed', async () => {
    const { model, baseline } = await load();
    const it = model.stream(prompt, long)[Symbol.asyncIterator]();
    expect((await it.next()).done).toBe(false);
    model.dispose();
    await expect(it.next()).rejects.toThrow(DisposedError);
    await expect(it.next()).resolves.toMatchObject({ done: true });
    expect(ctx.stats().liveBuffers).toBe(baseline);
  });

  it('dispose() right after generate() starts: the promise rejects with a DisposedError', async () => {
    const { model, baseline } = await load();
    const pending = model.generate([prompt, prompt], long);
    model.dispose();
    await expect(pending).rejects.toThrow(
      /MambaModel\.generate: the model was disposed while this generation/,
    );
    expect(ctx.stats().liveBuffers).toBe(baseline);
  });

  it('an abandoned iterator does not keep its graph alive through releaseCaches() or dispose()', async () => {
    const { model, baseline } = await load();
    const weightsOnly = ctx.stats().liveBuffers;
    const abandoned = model.stream(prompt, long)[Symbol.asyncIterator]();
    await abandoned.next();
    expect(ctx.stats().liveBuffers).toBeGreaterThan(weightsOnly);
    model.releaseCaches();
    expect(ctx.stats().liveBuffers).toBe(weightsOnly);
    await expect(abandoned.next()).rejects.toThrow(/releaseCaches\(\) freed this generation's state/);
    // The model still works, and a second abandoned iterator is freed by dispose().
    expect(await model.generate([prompt], { maxTokens: 4 })).toHaveLength(1);
    const second = model.stream(prompt, long)[Symbol.asyncIterator]();
    await second.next();
    model.dispose();
    expect(ctx.stats().liveBuffers).toBe(baseline);
    await expect(second.next()).rejects.toThrow(DisposedError);
  });
});
