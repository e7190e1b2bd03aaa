// Backward of `embedding`: the gradient of the table as a deterministic scatter-add. The ids come
// from the host (training batches do), which groups the tokens by id in token order; the kernel
// then sums each id's rows in that fixed order: no atomics, bitwise reproducible.

import { defineParams } from '../../device/params.js';
import { InvalidArgumentError } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { Tensor } from '../../tensor/tensor.js';
import { fill } from '../copy/fill.js';
import { bindingBudget, wholeBinding } from '../binding-window.js';
import { dispatch1d, workgroupCount } from '../launch.js';
import body from './embedding-backward.wgsl';

const WORKGROUP = 256;
const Params = defineParams('Params', { distinct: 'u32', dim: 'u32' });
const spec = {
  label: 'tensor/embedding-backward',
  body,
  params: Params,
  constants: { WORKGROUP },
  storage: [
    { name: 'dy' },
    { name: 'order', type: 'i32' },
    { name: 'starts', type: 'i32' },
    { name: 'distinct', type: 'i32' },
    { name: 'd_table', access: 'read_write' },
  ],
} as const;

/** Tokens grouped by id: `distinct` ids (ascending), `starts` into `order` (token indices). */
export function groupTokens(
  ids: ArrayLike<number>,
  vocab: number,
): { distinct: Int32Array; starts: Int32Array; order: Int32Array } {
  const counts = new Int32Array(vocab);
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new InvalidArgumentError(`embeddingBackward: ids[${t}] = ${id} is outside [0, ${vocab})`, 'ids');
    }
    counts[id]!++;
  }
  const distinctList: number[] = [];
  for (let v = 0; v < vocab; v++) if (counts[v]! > 0) distinctList.push(v);
  const distinct = Int32Array.from(distinctList);
  const starts = new Int32Array(distinct.length + 1);
  const cursor = new Int32Array(vocab);
  for (let u = 0; u < distinct.length; u++) {
    starts[u + 1] = starts[u]! + counts[distinct[u]!]!;
    cursor[distinct[u]!] = starts[u]!;
  }
  const order = new Int32Array(ids.length);
  for (let t = 0; t < ids.length; t++) order[cursor[ids[t]!]!++] = t;
  return { distinct, starts, order };
}

/**
 * d_table = scatter-add of dy's rows at `ids`.
 * ids: (tokens) host ids in [0, vocab); dy: (tokens, dim) f32. Returns (vocab, dim) f32 (new).
 */
export function embeddingBackward(ids: ArrayLike<number>, dy: Tensor, vocab: number): Tensor<'f32'> {
  const caller = 'embeddingBackward';
  dy.expectDType(caller, 'dy', 'f32');
  const dim = dy.shape[dy.shape.length - 1] ?? 0;
  dy.expectShape(caller, 'dy', [ids.length, dim], '(tokens, dim)');
  const { distinct, starts, order } = groupTokens(ids, vocab);
  const ctx = dy.ctx;
  const dTable = fill(Tensor.empty(ctx, [vocab, dim], 'f32', 'embedding-backward/d-table'), 0);
  if (distinct.length === 0 || dim === 0) return dTable;
  const budget = bindingBudget(ctx);
  const index = [order, starts, distinct].map((a, k) =>
    Tensor.fromArray(ctx, a, [a.length], 'i32', `embedding-backward/index${k}`),
  );
  ctx.dispatch({
    pipeline: kernelPipeline(ctx, spec),
    params: Params.pack({ distinct: distinct.length, dim }),
    bindings: [
      wholeBinding(dy, caller, 'dy', budget).binding,
      ...index.map((t) => wholeBinding(t, caller, 'index', budget).binding),
      wholeBinding(dTable, caller, 'd_table', budget).binding,
    ],
    workgroups: dispatch1d(
      workgroupCount(distinct.length * dim, WORKGROUP),
      ctx.limits.maxComputeWorkgroupsPerDimension,
    ),
    label: caller,
  });
  for (const t of index) t.dispose();
  return dTable;
}
