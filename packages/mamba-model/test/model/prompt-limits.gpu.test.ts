// A prompt longer than one prefill fits on this adapter (maxPrefillTokens) is refused with a
// LimitError saying what fits before anything is recorded or allocated: generate, stream, a ragged
// batch, forward and the serving engine's maxPromptTokens. The ids are never sent to the GPU.

import { getGpuContext, type GpuContext, LimitError } from '@mamba-webgpu/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/load-node.js';
import type { MambaModel } from '../../src/model/mamba-model.js';
import { maxForwardTokens, maxPrefillTokens } from '../../src/model/prompt-limits.js';
import { createEngine } from '../../src/serving/engine.js';
import { fixturePath } from '../loading/helpers.js';

let ctx: GpuContext;
let model: MambaModel;
let fits: number;

beforeAll(async () => {
  ctx = await getGpuContext();
  model = await loadModel(fixturePath('mamba-tiny'), { ctx, progress: false });
  fits = maxPrefillTokens(model.config, ctx.limits);
});

afterAll(() => model?.dispose());

/** Runs `fn` and checks that it threw a LimitError naming what fits, allocating nothing. */
async function refusedUpFront(fn: () => Promise<unknown>, caller: string, max: number) {
  const before = ctx.stats();
  const started = performance.now();
  const error = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LimitError);
  expect((error as Error).message).toMatch(
    new RegExp(`^${caller}: the prompt is .*more than the ${max} tokens one pass fits`),
  );
  expect(ctx.stats()).toMatchObject({
    liveBuffers: before.liveBuffers,
    allocatedBuffers: before.allocatedBuffers,
  });
  expect(performance.now() - started).toBeLessThan(5000);
}

describe(`prompts past the adapter's binding limits`, () => {
  it('generate, stream and a ragged batch fail before recording, saying what fits', async () => {
    const tooLong = new Array<number>(fits + 1).fill(3);
    await refusedUpFront(() => model.generate([tooLong], { maxTokens: 2 }), 'MambaModel.generate', fits);
    await refusedUpFront(() => model.stream(tooLong, { maxTokens: 2 }).next(), 'MambaModel.stream', fits);
    await refusedUpFront(() => model.generate([[1], tooLong], { maxTokens: 2 }), 'MambaModel.generate', fits);
    const half = new Array<number>(Math.floor(fits / 2) + 1).fill(3);
    await refusedUpFront(() => model.generate([half, half], { maxTokens: 2 }), 'MambaModel.generate', fits);
  });

  it('forward checks its own bound (prefill and logits buffer)', async () => {
    const max = maxForwardTokens(model.config, ctx.limits);
    const tooLong = new Array<number>(max + 1).fill(3);
    await refusedUpFront(() => model.forward([tooLong]), 'MambaModel.forward', max);
  });

  it('createEngine refuses a maxPromptTokens that does not fit one prefill', () => {
    expect(() => createEngine(model, { maxPromptTokens: fits + 1 })).toThrow(
      new RegExp(
        `createEngine: maxPromptTokens ${fits + 1} is more than the ${fits} tokens one prefill fits`,
      ),
    );
  });
});
