// Times the kernels of one decode step (batch 1) at the mamba-130m and mamba-2.8b shapes, per
// weight dtype (f32, q4): in_proj (rmsNormMatmul v1-composed vs v2-prologue-gemv under several
// prologue-GEMV sizings), x_proj (causalConv1dUpdate v1-plain + matmul vs v2-gemv, same sizings),
// and every matmul version at out_proj, dt_proj and the LM head. GPU timestamps, REPEAT calls
// back to back per sample (so each figure includes a dependent dispatch's ~4.4 µs on an H200).
// Run: `pnpm tune:decode` (bundle: --bundle-only); JSON to $OUT/tune-decode.json.

import { writeFileSync } from 'node:fs';
import {
  causalConv1dUpdateWith,
  DEFAULT_PROLOGUE_GEMV_TUNING,
  setPrologueGemvTuning,
} from '@mamba-webgpu/scan-kernels/internal';
import { type GpuContext, getGpuContext, MATMUL_KERNELS, matmul, Tensor } from '@mamba-webgpu/tensor';
import { copyVec4, measure } from '@mamba-webgpu/tensor/internal';
import { rmsNormMatmul } from '../../../packages/mamba-model/src/kernels/rmsnorm-matmul.js';

const CONFIGS = [
  { name: '130m', dModel: 768, dInner: 1536, dtRank: 48, nX: 80, vocab: 50280 },
  { name: '2.8b', dModel: 2560, dInner: 5120, dtRank: 160, nX: 192, vocab: 50280 },
];
const TUNINGS = [
  DEFAULT_PROLOGUE_GEMV_TUNING,
  { maxWRows: 16, targetWorkgroups: 256 },
  { maxWRows: 32, targetWorkgroups: 256 },
  { maxWRows: 64, targetWorkgroups: 128 },
  { maxWRows: 4, targetWorkgroups: 512 },
];
const REPEAT = 10;

function uniform(n: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (Math.random() * 2 - 1) * scale;
  return out;
}

async function main(): Promise<void> {
  const ctx: GpuContext = await getGpuContext();
  console.log(ctx.describe());
  const WARM = 64 << 20;
  using warmSrc = Tensor.empty(ctx, [WARM / 4], 'f32');
  using warmDst = Tensor.empty(ctx, [WARM / 4], 'f32');
  const warm = () => {
    for (let i = 0; i < 20; i++) copyVec4(ctx, warmSrc.buffer, warmDst.buffer, WARM);
  };
  // An idle GPU drops its clocks: keep it busy first; each figure is the better of two
  // measurements in a row (in the first run the first variant of a group read up to 3x slow).
  const end = performance.now() + 1000;
  while (performance.now() < end) {
    warm();
    await ctx.sync();
  }
  const once = async (record: () => void) => {
    const m = await measure(ctx, record, { warmup: 2, samples: 7, repeat: REPEAT, beforeSample: warm });
    return m.median * 1000; // µs per call
  };
  const time = async (record: () => void) => {
    const a = await once(record);
    warm();
    const b = await once(record);
    return Number(Math.min(a, b).toFixed(2));
  };
  const rows: Record<string, unknown>[] = [];
  const report = (op: string, cfg: string, dtype: string, variant: string, us: number) => {
    rows.push({ op, config: cfg, dtype, variant, us });
    console.log(
      `${cfg.padEnd(5)} ${dtype.padEnd(4)} ${op.padEnd(9)} ${variant.padEnd(34)} ${us.toFixed(2).padStart(9)} us`,
    );
  };
  for (const c of CONFIGS) {
    for (const dtype of ['f32', 'q4'] as const) {
      const w = (n: number, k: number) =>
        Tensor.fromArray(ctx, uniform(n * k, 1 / Math.sqrt(k)), [n, k], dtype);
      using x = Tensor.fromArray(ctx, uniform(c.dModel, 1), [1, c.dModel], 'f32');
      using norm = Tensor.fromArray(ctx, new Float32Array(c.dModel).fill(1), [c.dModel], 'f32');
      using inProj = w(2 * c.dInner, c.dModel);
      using xz = Tensor.empty(ctx, [1, 2 * c.dInner], 'f32');
      using xIn = Tensor.fromArray(ctx, uniform(c.dInner, 1), [1, c.dInner], 'f32');
      using convState = Tensor.fromArray(ctx, uniform(c.dInner * 4, 1), [1, c.dInner, 4], 'f32');
      using convW = Tensor.fromArray(ctx, uniform(c.dInner * 4, 0.5), [c.dInner, 4], 'f32');
      using convB = Tensor.fromArray(ctx, uniform(c.dInner, 0.1), [c.dInner], 'f32');
      using xProj = w(c.nX, c.dInner);
      using dbl = Tensor.empty(ctx, [1, c.nX], 'f32');
      // x_proj of the decode step: the conv step (state read, not shifted) then the projection.
      const xProjArgs = {
        x: xIn,
        convState,
        weight: convW,
        bias: convB,
        silu: true,
        updateState: false,
        projection: xProj,
        out: dbl,
      };
      for (const tuning of TUNINGS) {
        setPrologueGemvTuning(tuning);
        const tag = `rows<=${tuning.maxWRows} target ${tuning.targetWorkgroups}`;
        report(
          'in_proj',
          c.name,
          dtype,
          `v2-prologue-gemv ${tag}`,
          await time(() =>
            rmsNormMatmul(x, norm, inProj, { eps: 1e-5, out: xz, kernel: 'v2-prologue-gemv' }),
          ),
        );
        report(
          'x_proj',
          c.name,
          dtype,
          `v2-gemv ${tag}`,
          await time(() => causalConv1dUpdateWith(ctx, xProjArgs, { kernel: 'v2-gemv' })),
        );
      }
      setPrologueGemvTuning(DEFAULT_PROLOGUE_GEMV_TUNING);
      report(
        'in_proj',
        c.name,
        dtype,
        'v1-composed (rmsNorm, matmul)',
        await time(() => rmsNormMatmul(x, norm, inProj, { eps: 1e-5, out: xz, kernel: 'v1-composed' })),
      );
      report(
        'x_proj',
        c.name,
        dtype,
        'v1-plain + matmul',
        await time(() => causalConv1dUpdateWith(ctx, xProjArgs, { kernel: 'v1-plain' })),
      );
      for (const [op, n, k] of [
        ['out_proj', c.dModel, c.dInner],
        ['dt_proj', c.dInner, c.dtRank],
        ['lm_head', c.vocab, c.dModel],
      ] as const) {
        using weight = w(n, k);
        using input = Tensor.fromArray(ctx, uniform(k, 1), [1, k], 'f32');
        using out = Tensor.empty(ctx, [1, n], 'f32');
        for (const v of MATMUL_KERNELS)
          report(
            op,
            c.name,
            dtype,
            `matmul ${v.name}`,
            await time(() => matmul(input, weight, { out, kernel: v.name })),
          );
        report(op, c.name, dtype, 'matmul auto', await time(() => matmul(input, weight, { out })));
      }
      await ctx.checkErrors('tune-decode');
    }
  }
  if (process.env.OUT) writeFileSync(`${process.env.OUT}/tune-decode.json`, JSON.stringify(rows, null, 1));
  ctx.dispose();
}

await main();
