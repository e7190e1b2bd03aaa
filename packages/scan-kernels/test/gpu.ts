// Test helper: the GPU context shared by a test file, with a banner naming the adapter once.
import { type GpuContext, getGpuContext } from '@mamba-webgpu/tensor';

let announced = false;

export async function testContext(): Promise<GpuContext> {
  const ctx = await getGpuContext();
  if (!announced) {
    announced = true;
    console.info(`[gpu tests] adapter: ${ctx.describe()}`);
  }
  return ctx;
}
