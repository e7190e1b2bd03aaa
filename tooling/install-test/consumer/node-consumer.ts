// Type-checked by the install test (tsc --noEmit, strict, no skipLibCheck, nodenext) against the
// installed tarballs: every public entry point, and the GPU types reaching the user's code
// (TypeScript 6: lib.dom; TypeScript 5: @webgpu/types through the "types@<6.0" entries).
import { createEngine, type MambaModel } from '@mamba-webgpu/mamba-model';
import { loadModel } from '@mamba-webgpu/mamba-model/node';
import { type SelectiveScanArgs, selectiveScan } from '@mamba-webgpu/scan-kernels';
import { type GpuContext, getGpuContext, Tensor } from '@mamba-webgpu/tensor';
import type { Tokenizer } from '@mamba-webgpu/tokenizer';
import { fromFile } from '@mamba-webgpu/tokenizer/node';

export async function firstUse(modelDir: string, tokenizerPath: string): Promise<number[]> {
  const ctx: GpuContext = await getGpuContext();
  const device: GPUDevice = ctx.device;
  const buffer: GPUBuffer = device.createBuffer({ size: 16, usage: 0x80 });
  buffer.destroy();
  const model: MambaModel = await loadModel(modelDir, { ctx, progress: false });
  const engine = createEngine(model);
  const tokenizer: Tokenizer = await fromFile(tokenizerPath);
  const [ids] = await model.generate([tokenizer.encode('Mamba is a')], { maxTokens: 4 });
  const scan: (ctx: GpuContext, args: SelectiveScanArgs) => unknown = selectiveScan;
  using t = Tensor.fromArray(ctx, [1, 2], [2], 'f32');
  void engine;
  void scan;
  void t;
  return ids ?? [];
}
