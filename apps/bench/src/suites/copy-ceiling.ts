// The memory ceiling every memory-bound figure is held to: a vec4 copy of up to `maxBytes`
// (capped by one binding), GB/s counting read + write. Shared by the ops and quant suites.
import { type GpuContext, Tensor } from '@mamba-webgpu/tensor';
import { copyVec4, type MeasureOptions, measure, perSecond } from '@mamba-webgpu/tensor/internal';
import { sampleFields } from '../runner.js';
import type { BenchRow } from '../types.js';

/** The `copy-vec4` row of `suite`: the copy's bandwidth over `maxBytes` (or one binding's worth). */
export async function copyCeilingRow(
  gpu: GpuContext,
  suite: string,
  maxBytes: number,
  timing: MeasureOptions,
): Promise<BenchRow> {
  const bytes = Math.min(maxBytes, Math.floor(gpu.limits.maxStorageBufferBindingSize / 16) * 16);
  using src = Tensor.empty(gpu, [bytes / 4], 'f32', 'bench/copy-src');
  using dst = Tensor.empty(gpu, [bytes / 4], 'f32', 'bench/copy-dst');
  const m = await measure(gpu, () => copyVec4(gpu, src.buffer, dst.buffer, bytes), timing);
  const { value, ...stats } = perSecond(m, (2 * bytes) / 1e9);
  return {
    suite,
    name: 'copy-vec4',
    shape: `${(bytes / 2 ** 20).toFixed(0)} MiB`,
    value,
    unit: 'GB/s',
    ...sampleFields(stats),
    extra: { ms: m.median, timing: m.clock },
  };
}
