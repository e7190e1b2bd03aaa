// quantizeTensor(x, dtype): block quantization on the GPU (the loader's path: a 2.8b model's
// matrices take seconds here, minutes in JS). The CPU reference is tensor/quant.ts `quantize`;
// both write the same layout, and differ only where round() meets an exact tie or f16 rounding
// of q4's header does. Tensors larger than a binding are processed in windows of whole blocks.

import { defineParams } from '../../device/params.js';
import { kernelPipeline } from '../../shader/builder.js';
import { QUANT_BLOCK, QUANT_BLOCK_WORDS } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  elementBytes,
  itemsPerWindow,
} from '../binding-window.js';
import { contiguousOperand } from '../copy/contiguous.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import { requireTensor } from '../validate.js';
import body from './quantize.wgsl';

const QUANTIZE = { WORKGROUP: 64, BLOCK: QUANT_BLOCK } as const;

const Params = defineParams('Params', {
  numel: 'u32',
  blocks: 'u32',
  src_off: 'u32',
  out_block: 'u32',
});

/**
 * A q8 / q4 copy of `x` (f32, f16 or bf16; any shape; views are made contiguous first), computed
 * on the GPU. Returns a new tensor of x's shape, owned by the caller.
 */
export function quantizeTensor(
  x: Tensor,
  dtype: 'q8' | 'q4',
  options: ChunkingOptions & { label?: string } = {},
): Tensor<'q8' | 'q4'> {
  const caller = 'quantizeTensor';
  requireTensor(caller, 'x', x);
  x.expectDType(caller, 'x', 'f32', 'f16', 'bf16');
  const ctx = x.ctx;
  const out = Tensor.empty(ctx, x.shape, dtype, options.label ?? `${x.label}/${dtype}`);
  if (x.numel === 0) return out;
  const temporaries: Tensor[] = [];
  try {
    const src = contiguousOperand(x, temporaries);
    const budget = bindingBudget(ctx, options.maxBindingBytes);
    const words = QUANT_BLOCK_WORDS[dtype];
    const perWindow = Math.min(
      itemsPerWindow(ctx, caller, 'block of x', QUANT_BLOCK * elementBytes(src), budget, src.dtype),
      itemsPerWindow(ctx, caller, 'block of out', words * 4, budget, dtype),
      ctx.limits.maxComputeWorkgroupsPerDimension * 65535,
    );
    const pipeline = kernelPipeline(ctx, {
      label: 'tensor/quantize',
      body,
      params: Params,
      constants: { ...QUANTIZE, WORDS: words, Q8: dtype === 'q8' },
      storage: [
        { name: 'src', type: src.dtype },
        { name: 'out', type: 'u32', access: 'read_write' },
      ],
    });
    const totalBlocks = Math.ceil(x.numel / QUANT_BLOCK);
    for (let first = 0; first < totalBlocks; first += perWindow) {
      const blocks = Math.min(perWindow, totalBlocks - first);
      const start = first * QUANT_BLOCK;
      const count = Math.min(blocks * QUANT_BLOCK, x.numel - start);
      const sw = bindingWindow(src, start, count);
      const ow = bindingWindow(out, start, count);
      ctx.dispatch({
        pipeline,
        params: Params.pack({
          numel: count,
          blocks,
          src_off: sw.elemOffset,
          out_block: ow.elemOffset / QUANT_BLOCK,
        }),
        bindings: [sw.binding, ow.binding],
        workgroups: dispatch1d(
          workgroupCount(blocks, QUANTIZE.WORKGROUP),
          ctx.limits.maxComputeWorkgroupsPerDimension,
        ),
        label: caller,
      });
    }
  } catch (error) {
    out.dispose();
    throw error;
  } finally {
    for (const t of temporaries) t.dispose();
  }
  return out;
}
