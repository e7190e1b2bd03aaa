// Every registered backward version (and its training forward) against the float64 references on
// seeded grids: awkward seqLen (1, 37, 333, 2049, 4133), batch 1 and 3, dState 1/16/20/64/256,
// with and without D, z, deltaBias, softplus, initial state and dLastState; outputs poisoned.
// Then determinism, the recomputing path, ownership (no leaked buffer) and typed errors.
import { Tensor } from '@mamba-webgpu/tensor';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import {
  type BackwardCase,
  disposeBackwardArgs,
  disposeGrads,
  expectGradsClose,
  randomBackward,
  readGrads,
  uploadBackward,
} from './backward-test-data.js';
import { SCAN_BACKWARD_KERNELS } from './kernels.js';
import {
  selectiveScanBackward,
  selectiveScanBackwardWith,
  selectiveScanForwardForTraining,
  selectiveScanForwardForTrainingWith,
} from './selective-scan-backward.js';
import { selectiveScanForwardRef64 } from './selective-scan-backward-ref.js';

const ALL: BackwardCase = {
  D: true,
  z: true,
  deltaBias: true,
  deltaSoftplus: true,
  initialState: true,
  dLastState: true,
};

// [batch, dInner, seqLen, dState, options]; dInner kept small where seqLen is large (lavapipe).
const GRID: [number, number, number, number, BackwardCase][] = [
  [1, 8, 1, 16, ALL],
  [3, 8, 1, 1, {}],
  [3, 8, 37, 16, ALL],
  [1, 16, 37, 64, { D: true, dLastState: true }],
  [1, 16, 333, 1, { z: true }],
  [3, 4, 333, 64, { D: true, z: true, initialState: true }],
  [2, 11, 333, 20, { deltaBias: true, deltaSoftplus: true, dLastState: true }],
  [3, 4, 2049, 16, ALL],
  [1, 3, 4133, 16, { D: true, z: true, deltaBias: true, deltaSoftplus: true }],
  [1, 2, 4133, 64, { initialState: true, dLastState: true }],
  [1, 5, 300, 256, { D: true, z: true, dLastState: true }],
];

function caseName([b, d, l, n, o]: (typeof GRID)[number]): string {
  const flags = Object.entries(o)
    .filter(([, v]) => v)
    .map(([k]) => k)
    .join(',');
  return `(${b},${d},${l},${n})${flags ? ` ${flags}` : ''}`;
}

describe.each(SCAN_BACKWARD_KERNELS.map((k) => [k.name, k] as const))(
  'selective scan backward %s vs float64 reference',
  (name, kernel) => {
    GRID.forEach((entry, i) => {
      it(caseName(entry), async () => {
        const ctx = await testContext();
        const [batch, dInner, seqLen, dState, options] = entry;
        const host = randomBackward(2000 + i, [batch, dInner, seqLen, dState], options);
        const args = uploadBackward(ctx, host);
        const opts = { kernel: name, poisonOutputs: true };
        const forward = selectiveScanForwardForTrainingWith(ctx, args, opts);
        expect(forward.checkpoint.chunkSize).toBe(kernel.chunkSize);
        const expected = selectiveScanForwardRef64(host, kernel.chunkSize);
        expectAllClose(await forward.y.read(), expected.y, { ...TOLERANCES.f32, label: `${name} y` });
        expectAllClose(await forward.lastState.read(), expected.lastState, {
          ...TOLERANCES.f32,
          label: `${name} lastState`,
        });
        expectAllClose(await forward.checkpoint.chunkStates.read(), expected.chunkStates, {
          ...TOLERANCES.f32,
          label: `${name} chunkStates`,
        });
        const grads = selectiveScanBackwardWith(ctx, { ...args, checkpoint: forward.checkpoint }, opts);
        expectGradsClose(await readGrads(grads), host, name);
        await ctx.checkErrors();
        disposeGrads(grads);
        forward.y.dispose();
        forward.lastState.dispose();
        forward.checkpoint.chunkStates.dispose();
        disposeBackwardArgs(args);
      });
    });
  },
);

describe('selectiveScanBackward', () => {
  it('is deterministic and equals the path that recomputes the checkpoint itself (bit for bit)', async () => {
    const ctx = await testContext();
    const host = randomBackward(31, [2, 13, 600, 16], ALL);
    const args = uploadBackward(ctx, host);
    const forward = selectiveScanForwardForTraining(ctx, args);
    const runs = [
      selectiveScanBackward(ctx, { ...args, checkpoint: forward.checkpoint }),
      selectiveScanBackward(ctx, { ...args, checkpoint: forward.checkpoint }),
      selectiveScanBackward(ctx, args),
    ];
    const read: Record<string, Float32Array>[] = [];
    for (const grads of runs) read.push(await readGrads(grads));
    const [first, ...others] = read;
    for (const other of others) {
      for (const [gradName, values] of Object.entries(first!)) {
        expect(Buffer.from(other[gradName]!.buffer).equals(Buffer.from(values.buffer)), gradName).toBe(true);
      }
    }
    await ctx.checkErrors();
    for (const grads of runs) disposeGrads(grads);
    forward.y.dispose();
    forward.lastState.dispose();
    forward.checkpoint.chunkStates.dispose();
    disposeBackwardArgs(args);
  });

  it('leaks no buffer: live buffers unchanged after disposing every result', async () => {
    const ctx = await testContext();
    const host = randomBackward(32, [1, 8, 64, 16], ALL);
    const args = uploadBackward(ctx, host);
    const step = () => {
      const forward = selectiveScanForwardForTraining(ctx, args);
      const grads = selectiveScanBackward(ctx, { ...args, checkpoint: forward.checkpoint });
      disposeGrads(grads);
      forward.y.dispose();
      forward.lastState.dispose();
      forward.checkpoint.chunkStates.dispose();
      disposeGrads(selectiveScanBackward(ctx, args));
    };
    step();
    await ctx.sync();
    const before = ctx.stats().liveBuffers;
    for (let i = 0; i < 5; i++) step();
    await ctx.sync();
    expect(ctx.stats().liveBuffers).toBe(before);
    disposeBackwardArgs(args);
  });

  it('rejects bad shapes, dtypes and checkpoints with typed errors before any GPU work', async () => {
    const ctx = await testContext();
    const host = randomBackward(33, [2, 4, 37, 16], { D: true });
    const args = uploadBackward(ctx, host);
    const dispatches = ctx.dispatchCount;
    using badDy = Tensor.empty(ctx, [2, 4, 36], 'f32');
    expect(() => selectiveScanBackward(ctx, { ...args, dy: badDy })).toThrow(
      'selectiveScanBackward: dy must be (batch, dInner, seqLen) = (2, 4, 37), got (2, 4, 36)',
    );
    using badLast = Tensor.empty(ctx, [2, 4, 8], 'f32');
    expect(() => selectiveScanBackward(ctx, { ...args, dLastState: badLast })).toThrow(
      'selectiveScanBackward: dLastState must be (batch, dInner, dState) = (2, 4, 16), got (2, 4, 8)',
    );
    using badB = Tensor.empty(ctx, [2, 8], 'f32');
    expect(() => selectiveScanBackward(ctx, { ...args, B: badB })).toThrow(
      'selectiveScanBackward: B must be (batch, dState, seqLen) = (2, 16, 37), got (2, 8)',
    );
    using intDy = Tensor.empty(ctx, [2, 4, 37], 'i32');
    expect(() => selectiveScanBackward(ctx, { ...args, dy: intDy })).toThrow(
      expect.objectContaining({ name: 'DTypeError' }),
    );
    expect(() => selectiveScanBackward(ctx, { ...args, dy: undefined as never })).toThrow(
      expect.objectContaining({
        name: 'InvalidArgumentError',
        message: expect.stringMatching(/^selectiveScanBackward: dy/),
      }),
    );
    using states = Tensor.empty(ctx, [2, 4, 2, 16], 'f32');
    const chunkSize = SCAN_BACKWARD_KERNELS[0]!.chunkSize;
    expect(() =>
      selectiveScanBackward(ctx, { ...args, checkpoint: { chunkStates: states, chunkSize } }),
    ).toThrow(
      `selectiveScanBackward: checkpoint.chunkStates must be (batch, dInner, nChunks, dState) = (2, 4, 1, 16), got (2, 4, 2, 16)`,
    );
    expect(() =>
      selectiveScanBackward(ctx, { ...args, checkpoint: { chunkStates: states, chunkSize: 100 } }),
    ).toThrow(/^selectiveScanBackward: checkpoint.chunkSize must be one of .*got 100$/);
    using bigA = Tensor.empty(ctx, [4, 257], 'f32');
    expect(() => selectiveScanForwardForTraining(ctx, { ...args, A: bigA })).toThrow(
      expect.objectContaining({
        name: 'LimitError',
        message: expect.stringMatching(/^selectiveScanForwardForTraining: /),
      }),
    );
    expect(ctx.dispatchCount).toBe(dispatches);
    disposeBackwardArgs(args);
  });
});
