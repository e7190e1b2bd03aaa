// The ssm-math WGSL library against its float64 definitions, through the kernel builder.
import { Tensor } from '@mamba-webgpu/tensor';
import { defineParams, kernelPipeline } from '@mamba-webgpu/tensor/internal';
import { expectAllClose, SeededRandom } from '@mamba-webgpu/tensor/testing';
import { describe, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { SSM_MATH } from './ssm-math.js';
import body from './ssm-math-probe.wgsl';

const silu = (v: number) => v / (1 + Math.exp(-v));
const softplus = (v: number) => (v > 20 ? v : Math.log1p(Math.exp(v)));

/** Each function of the probe kernel, in output order, on one row [p, q, r, s]. */
const EXPECTED: ((p: number, q: number, r: number, s: number) => number)[] = [
  (p, q) => softplus(p + q),
  (p, q) => p + q,
  (p, q) => Math.exp(Math.abs(p) * -Math.abs(q)),
  (p, q) => Math.exp(Math.abs(p) * -Math.abs(q)),
  (p, q, r, s) => q * p + r * s,
  (p, q, r) => p + q * r,
  (p, q) => p * silu(q),
  (p, q) => silu(p + q),
  (p, q) => p + q,
];

describe('ssm-math library', () => {
  it('evaluates dt, decay, state step, skip, gate and conv output as defined', async () => {
    const ctx = await testContext();
    const rng = new SeededRandom(5);
    const n = 257;
    // Include the softplus threshold region (delta + bias around 20).
    const host = rng.array(4 * n, () => rng.uniform(-12, 12));
    const Params = defineParams('Params', { n: 'u32' });
    const spec = {
      label: 'scan-kernels/test/ssm-math-probe',
      body,
      params: Params,
      constants: { WORKGROUP: 64, OUTPUTS: EXPECTED.length },
      libraries: [SSM_MATH],
      storage: [{ name: 'inputs' }, { name: 'out', access: 'read_write' }],
    } as const;
    using inputs = Tensor.fromArray(ctx, host, [n, 4], 'f32');
    using out = Tensor.empty(ctx, [n, EXPECTED.length], 'f32').poison();
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, spec),
      params: Params.pack({ n }),
      bindings: [inputs.buffer, out.buffer],
      workgroups: [Math.ceil(n / 64)],
      label: 'ssm-math-probe',
    });
    const expected = new Float32Array(n * EXPECTED.length);
    for (let i = 0; i < n; i++) {
      const [p, q, r, s] = host.subarray(4 * i, 4 * i + 4) as unknown as [number, number, number, number];
      EXPECTED.forEach((f, k) => {
        expected[i * EXPECTED.length + k] = f(p, q, r, s);
      });
    }
    expectAllClose(await out.read(), expected, { rtol: 1e-5, atol: 1e-5, label: 'ssm-math' });
    await ctx.checkErrors();
  });
});
