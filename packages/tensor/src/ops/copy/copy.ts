// Host code of the vec4 copy kernel used as the bandwidth ceiling by the bench suites.

import type { GpuContext } from '../../device/context.js';
import { defineParams } from '../../device/params.js';
import { InvalidArgumentError } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import body from './copy.wgsl';

/** The kernel's sizes: WORKGROUP threads; the default grid gives each thread VEC4_PER_THREAD vec4. */
const COPY = { WORKGROUP: 256, VEC4_PER_THREAD: 8 } as const;

const Params = defineParams('Params', { numel4: 'u32' });

/**
 * Records a copy of `bytes` bytes (a multiple of 16, within one binding) from `src` to `dst`
 * with a grid-stride vec4 kernel. `workgroups` defaults to one per 32 KiB (VEC4_PER_THREAD vec4
 * per thread), capped at 65535.
 */
export function copyVec4(
  ctx: GpuContext,
  src: GPUBuffer,
  dst: GPUBuffer,
  bytes: number,
  workgroups?: number,
): void {
  if (bytes % 16 !== 0)
    throw new InvalidArgumentError(`copyVec4: bytes must be a multiple of 16, got ${bytes}`, 'bytes');
  ctx.checkBindingSize('copyVec4', 'src', bytes);
  const groups =
    workgroups ?? Math.min(65535, Math.max(1, Math.ceil(bytes / 16 / COPY.WORKGROUP / COPY.VEC4_PER_THREAD)));
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/copy-vec4',
    body,
    params: Params,
    constants: { WORKGROUP: COPY.WORKGROUP },
    storage: [
      { name: 'src', type: 'vec4<f32>' },
      { name: 'dst', type: 'vec4<f32>', access: 'read_write' },
    ],
  });
  ctx.dispatch({
    pipeline,
    params: Params.pack({ numel4: bytes / 16 }),
    bindings: [
      { buffer: src, offset: 0, size: bytes },
      { buffer: dst, offset: 0, size: bytes },
    ],
    workgroups: [groups],
    label: 'copy-vec4',
  });
}
