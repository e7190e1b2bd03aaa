// The GPU backward against the PyTorch float64 autograd oracle (../shared/fixtures/train, copied
// into test/fixtures/train): every registered version, with and without a saved checkpoint.
import { fileURLToPath } from 'node:url';
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { TOLERANCES, expectAllClose } from '@mamba-webgpu/tensor/testing';
import { describe, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { type FixtureTensor, readSafetensors } from '../../test/safetensors.js';
import { disposeBackwardArgs, disposeGrads, readGrads } from './backward-test-data.js';
import { SCAN_BACKWARD_KERNELS } from './kernels.js';
import { selectiveScanBackwardWith, selectiveScanForwardForTrainingWith } from './selective-scan-backward.js';
import type { SelectiveScanBackwardArgs } from './types.js';

const path = fileURLToPath(
  new URL('../../test/fixtures/train/scan_grad_oracle.safetensors', import.meta.url),
);

function upload(ctx: GpuContext, f: Record<string, FixtureTensor>): SelectiveScanBackwardArgs {
  const t = (name: string) => Tensor.fromArray(ctx, f[name]!.data, f[name]!.shape, 'f32', name);
  return {
    u: t('u'),
    delta: t('delta'),
    A: t('A'),
    B: t('B'),
    C: t('C'),
    D: t('D'),
    z: t('z'),
    deltaBias: t('delta_bias'),
    deltaSoftplus: true,
    initialState: t('h0'),
    dy: t('dy'),
    dLastState: t('dlast_state'),
  };
}

const GRADS: [string, string][] = [
  ['du', 'd_u'],
  ['dDelta', 'd_delta'],
  ['dA', 'd_A'],
  ['dB', 'd_B'],
  ['dC', 'd_C'],
  ['dD', 'd_D'],
  ['dz', 'd_z'],
  ['dDeltaBias', 'd_delta_bias'],
  ['dInitialState', 'd_h0'],
];

describe('selective scan backward vs the PyTorch float64 oracle (batch 2, dInner 24, seqLen 333, dState 16)', () => {
  const fixture = readSafetensors(path);
  it.each(SCAN_BACKWARD_KERNELS.map((k) => [k.name] as const))(
    '%s: y, last_state and every gradient',
    async (name) => {
      const ctx = await testContext();
      const args = upload(ctx, fixture);
      const forward = selectiveScanForwardForTrainingWith(ctx, args, { kernel: name });
      expectAllClose(await forward.y.read(), fixture.y!.data, { ...TOLERANCES.f32, label: 'y' });
      expectAllClose(await forward.lastState.read(), fixture.last_state!.data, {
        ...TOLERANCES.f32,
        label: 'last_state',
      });
      for (const checkpoint of [forward.checkpoint, undefined]) {
        const grads = selectiveScanBackwardWith(ctx, { ...args, checkpoint }, { kernel: name });
        const got = await readGrads(grads);
        for (const [mine, theirs] of GRADS) {
          expectAllClose(got[mine]!, fixture[theirs]!.data, {
            ...TOLERANCES.f32,
            label: `${name} ${theirs}${checkpoint ? '' : ' (recomputed checkpoint)'}`,
          });
        }
        disposeGrads(grads);
      }
      await ctx.checkErrors();
      forward.y.dispose();
      forward.lastState.dispose();
      forward.checkpoint.chunkStates.dispose();
      disposeBackwardArgs(args);
    },
  );
});
