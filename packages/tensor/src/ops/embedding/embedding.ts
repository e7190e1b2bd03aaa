// Host code of the embedding gather: ids (i32) -> rows of an f32/f16/bf16 table. Tables larger
// than one binding (the 130m model's 50280 x 768 f32 embedding is 154 MB) are split over rows,
// one dispatch per chunk; each dispatch writes the tokens whose ids fall in its chunk. Strided
// views are read through their contiguous copies.

import { defineParams } from '../../device/params.js';
import { ShapeError, formatShape } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { Tensor, disposeAll } from '../../tensor/tensor.js';
import {
  type ChunkingOptions,
  bindingBudget,
  bindingWindow,
  elementBytes,
  itemsPerWindow,
} from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import { windowOperand } from '../operand.js';
import { requireTensor } from '../validate.js';
import body from './embedding.wgsl';

/** The kernel's sizes: its header and the dispatch both read them. */
const EMBEDDING = { WORKGROUP: 256 } as const;

const Params = defineParams('Params', {
  tokens: 'u32',
  dim: 'u32',
  vocab: 'u32',
  row0: 'u32',
  rows: 'u32',
  ids_off: 'u32',
  table_off: 'u32',
  out_off: 'u32',
});

/**
 * out[..., :] = table[ids[...], :].
 * ids: (...) i32; table: (vocab, dim) f32/f16/bf16; returns (..., dim) f32 the caller owns.
 * Ids outside [0, vocab) give rows of NaN.
 */
export function embedding(ids: Tensor, table: Tensor, options: ChunkingOptions = {}): Tensor<'f32'> {
  const caller = 'embedding';
  requireTensor(caller, 'ids', ids);
  requireTensor(caller, 'table', table);
  ids.expectDType(caller, 'ids', 'i32');
  table.expectDType(caller, 'table', 'f32', 'f16', 'bf16', 'q8', 'q4');
  if (table.shape.length !== 2) {
    throw new ShapeError(`${caller}: table must be (vocab, dim), got ${formatShape(table.shape)}`);
  }
  const [vocab, dim] = table.shape as [number, number];
  if (vocab === 0)
    throw new ShapeError(`${caller}: table must have at least one row, got ${formatShape(table.shape)}`);
  const ctx = ids.ctx;
  const out = Tensor.empty(ctx, [...ids.shape, dim], 'f32', 'embedding/out');
  const tokens = ids.numel;
  if (tokens === 0 || dim === 0) return out;
  const budget = bindingBudget(ctx, options.maxBindingBytes);
  const tableRows = itemsPerWindow(ctx, caller, 'table row', dim * elementBytes(table), budget, table.dtype);
  // Bound tokens so the element index (tokens * dim) stays within 2^31 and the grid.
  const tokenRows = Math.min(
    itemsPerWindow(ctx, caller, 'row of out', dim * 4, budget),
    Math.floor(2 ** 31 / dim),
  );
  const temporaries: Tensor[] = [];
  const idsRead = windowOperand(ids, temporaries);
  const tableRead = windowOperand(table, temporaries);
  const pipeline = kernelPipeline(ctx, {
    label: 'tensor/embedding',
    body,
    params: Params,
    constants: EMBEDDING,
    storage: [
      { name: 'ids', type: 'i32' },
      { name: 'table', type: table.dtype },
      { name: 'out', access: 'read_write' },
    ],
  });
  for (let t0 = 0; t0 < tokens; t0 += tokenRows) {
    const tc = Math.min(tokenRows, tokens - t0);
    const iw = bindingWindow(idsRead, t0, tc);
    const ow = bindingWindow(out, t0 * dim, tc * dim);
    for (let row0 = 0; row0 < vocab; row0 += tableRows) {
      const rows = Math.min(tableRows, vocab - row0);
      const tw = bindingWindow(tableRead, row0 * dim, rows * dim);
      ctx.dispatch({
        pipeline,
        params: Params.pack({
          tokens: tc,
          dim,
          vocab,
          row0,
          rows,
          ids_off: iw.elemOffset,
          table_off: tw.elemOffset,
          out_off: ow.elemOffset,
        }),
        bindings: [iw.binding, tw.binding, ow.binding],
        workgroups: dispatch1d(
          workgroupCount(tc * dim, EMBEDDING.WORKGROUP),
          ctx.limits.maxComputeWorkgroupsPerDimension,
        ),
        label: caller,
      });
    }
  }
  disposeAll(...temporaries);
  return out;
}
