// The tensor ops the model uses, under the names the forward pass reads best with.

import { addRmsNorm, embedding, matmul, type Tensor } from '@mamba-webgpu/tensor';

/** y = x @ W^T (+ bias): x (..., in), W (out, in) f32/f16/bf16 -> (..., out) f32. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor<'f32'> {
  return matmul(x, weight, bias ? { bias } : {});
}

/** Rows of the embedding table for ids: (n) i32 -> (n, dModel) f32. */
export function embed(table: Tensor, ids: Tensor<'i32'>): Tensor<'f32'> {
  return embedding(ids, table);
}

/**
 * Fused add + RMSNorm as mamba's fused_add_norm: residual = h + residual (h alone for the first
 * layer), out = rmsnorm(residual) * weight. Both returned, owned by the caller.
 */
export function residualRmsNorm(
  h: Tensor,
  weight: Tensor,
  residual: Tensor | undefined,
  eps: number,
): { out: Tensor<'f32'>; residual: Tensor<'f32'> } {
  return addRmsNorm(h, residual, weight, { eps });
}
