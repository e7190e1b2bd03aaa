// Host code of the vec4 copy kernel used as the bandwidth ceiling by the bench suites.

import type { GpuContext } from '../../device/context.js';
import { defineParams } from '../../device/params.js';
import { InvalidArgumentError } from '../../errors.js';
import source from './copy.wgsl';

const Params = defineParams('Params', { numel4: 'u32' });
const code = Params.wgsl + source;

/**
 * Records a copy of `bytes` bytes (a multiple of 16, within one binding) from `src` to `dst`
 * with a grid-stride vec4 kernel. `workgroups` defaults to 4 per 1 MiB, capped at 65535.
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
  const groups = workgroups ?? Math.min(65535, Math.max(1, Math.ceil(bytes / 16 / 256 / 8)));
  ctx.dispatch({
    pipeline: ctx.pipeline('tensor/copy-vec4', code),
    params: Params.pack({ numel4: bytes / 16 }),
    bindings: [
      { buffer: src, offset: 0, size: bytes },
      { buffer: dst, offset: 0, size: bytes },
    ],
    workgroups: [groups],
    label: 'copy-vec4',
  });
}
