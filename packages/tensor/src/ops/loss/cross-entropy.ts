// The LM head and cross-entropy loss fused and chunked over tokens: logits = h @ table^T for a
// chunk of tokens at a time, the loss and d loss / d logits computed in place, then dh and
// dTable from that chunk's gradient — so (tokens x vocab) logits are never held whole
// (mamba-130m at 16k tokens would need 3.3 GB for them). Forward and backward in one pass.

import { defineParams } from '../../device/params.js';
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { kernelPipeline } from '../../shader/builder.js';
import { REDUCE } from '../../shader/library.js';
import { Tensor } from '../../tensor/tensor.js';
import { bindingBudget, wholeBinding } from '../binding-window.js';
import { copyInto } from '../copy/copy-into.js';
import { dispatch1d } from '../launch.js';
import { matmul } from '../matmul/matmul.js';
import { sumRows } from '../reduce/sum-rows.js';
import body from './cross-entropy.wgsl';

/**
 * Bytes of one chunk's logits (tokens x vocab f32) at most: mamba-130m's vocab gives chunks of
 * ~2600 tokens, 7 chunks for a 16k-token batch (and never more than one binding).
 */
export const LOGITS_CHUNK_BYTES = 512 << 20;

/** The target id that counts for nothing (PyTorch's default ignore_index). */
export const IGNORE_INDEX = -100;

const Params = defineParams('Params', {
  rows: 'u32',
  vocab: 'u32',
  scale: 'f32',
  ignore_index: 'i32',
  loss_offset: 'u32',
});
const spec = {
  label: 'tensor/cross-entropy',
  body,
  params: Params,
  libraries: [REDUCE],
  storage: [
    { name: 'logits', access: 'read_write' },
    { name: 'targets', type: 'i32' },
    { name: 'losses', access: 'read_write' },
  ],
} as const;

export interface LmHeadLossOptions {
  /** Tokens per chunk (default: as many as keep a chunk's logits within LOGITS_CHUNK_BYTES and one binding). */
  chunkTokens?: number;
  /** Whether to compute dh and dTable (default true). */
  withGradients?: boolean;
}

export interface LmHeadLossResult {
  /** (1): the mean cross-entropy over the counted targets. */
  loss: Tensor<'f32'>;
  /** (tokens, dim): d loss / d h. */
  dh?: Tensor<'f32'>;
  /** (vocab, dim): d loss / d table. */
  dTable?: Tensor<'f32'>;
  /** Targets that counted (not IGNORE_INDEX). */
  counted: number;
}

function validate(
  caller: string,
  h: Tensor,
  table: Tensor,
  targets: ArrayLike<number>,
): [number, number, number] {
  h.expectDType(caller, 'h', 'f32');
  table.expectDType(caller, 'table', 'f32');
  if (h.shape.length !== 2 || table.shape.length !== 2 || h.shape[1] !== table.shape[1]) {
    throw new ShapeError(
      `${caller}: h must be (tokens, dim) and table (vocab, dim), got ${formatShape(h.shape)} and ${formatShape(table.shape)}`,
    );
  }
  const [tokens, dim] = h.shape as [number, number];
  const vocab = table.shape[0]!;
  if (tokens === 0 || dim === 0 || vocab === 0) {
    throw new ShapeError(
      `${caller}: needs at least one token, one feature and one class, got h ${formatShape(h.shape)}, table ${formatShape(table.shape)}`,
    );
  }
  if (targets.length !== tokens) {
    throw new ShapeError(`${caller}: targets must have one id per token (${tokens}), got ${targets.length}`);
  }
  for (let t = 0; t < tokens; t++) {
    const id = targets[t]!;
    if (id !== IGNORE_INDEX && !(Number.isInteger(id) && id >= 0 && id < vocab)) {
      throw new InvalidArgumentError(
        `${caller}: targets[${t}] = ${id} is outside [0, ${vocab}) and not ${IGNORE_INDEX}`,
        'targets',
      );
    }
  }
  return [tokens, dim, vocab];
}

/**
 * Mean cross-entropy of `logits = h @ table^T` against `targets`, with its gradients.
 * h: (tokens, dim) f32 (the final normalised hidden states); table: (vocab, dim) f32 (the tied
 * embedding); targets: host ids, IGNORE_INDEX for positions without a target.
 */
export function lmHeadCrossEntropy(
  h: Tensor,
  table: Tensor,
  targets: ArrayLike<number>,
  options: LmHeadLossOptions = {},
): LmHeadLossResult {
  const caller = 'lmHeadCrossEntropy';
  const [tokens, dim, vocab] = validate(caller, h, table, targets);
  let counted = 0;
  for (let t = 0; t < tokens; t++) if (targets[t] !== IGNORE_INDEX) counted++;
  const ctx = h.ctx;
  const budget = bindingBudget(ctx);
  const maxChunk = Math.max(1, Math.floor(Math.min(budget, LOGITS_CHUNK_BYTES) / (vocab * 4)));
  const chunk = Math.min(tokens, options.chunkTokens ?? maxChunk, maxChunk);
  if (!(chunk >= 1))
    throw new InvalidArgumentError(
      `${caller}: chunkTokens must be >= 1, got ${options.chunkTokens}`,
      'chunkTokens',
    );
  const withGradients = options.withGradients ?? true;
  const scale = counted === 0 ? 0 : 1 / counted;
  const losses = Tensor.empty(ctx, [tokens, 1], 'f32', `${caller}/losses`);
  const dh = withGradients ? Tensor.empty(ctx, [tokens, dim], 'f32', `${caller}/dh`) : undefined;
  let dTable: Tensor<'f32'> | undefined;
  let spare: Tensor<'f32'> | undefined;
  // dh = dlogits @ table: matmul's W operand is (out, in) = table^T (dim, vocab).
  const tableT = withGradients ? table.transpose(0, 1) : undefined; // a view, read in place
  const targetIds = Int32Array.from(targets);
  for (let t0 = 0; t0 < tokens; t0 += chunk) {
    const tc = Math.min(chunk, tokens - t0);
    const hc = h.slice(0, t0, t0 + tc);
    const logits = matmul(hc, table);
    const chunkTargets = Tensor.fromArray(
      ctx,
      targetIds.subarray(t0, t0 + tc),
      [tc],
      'i32',
      `${caller}/targets`,
    );
    ctx.dispatch({
      pipeline: kernelPipeline(ctx, spec),
      params: Params.pack({ rows: tc, vocab, scale, ignore_index: IGNORE_INDEX, loss_offset: t0 }),
      bindings: [
        wholeBinding(logits, caller, 'logits', budget).binding,
        wholeBinding(chunkTargets, caller, 'targets', budget).binding,
        { buffer: losses.buffer, offset: 0, size: losses.buffer.size },
      ],
      workgroups: dispatch1d(tc, ctx.limits.maxComputeWorkgroupsPerDimension),
      label: caller,
    });
    chunkTargets.dispose();
    if (dh && tableT) {
      const dhc = matmul(logits, tableT);
      const rows = dh.slice(0, t0, t0 + tc);
      copyInto(rows, dhc);
      rows.dispose();
      dhc.dispose();
      const dlogitsT = logits.transpose(0, 1);
      const hcT = hc.transpose(0, 1);
      // dTable += dlogits^T @ h_chunk, ping-ponging between two buffers (out may not be residual).
      const target = spare ?? Tensor.empty(ctx, [vocab, dim], 'f32', `${caller}/d-table`);
      matmul(dlogitsT, hcT, dTable ? { residual: dTable, out: target } : { out: target });
      spare = dTable;
      dTable = target;
      dlogitsT.dispose();
      hcT.dispose();
    }
    logits.dispose();
    hc.dispose();
  }
  tableT?.dispose();
  spare?.dispose();
  const loss = sumRows(losses, [1]);
  losses.dispose();
  return { loss, dh, dTable, counted };
}
