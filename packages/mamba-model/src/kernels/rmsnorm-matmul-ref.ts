// CPU reference of rmsNormMatmul, composed from tensor's references (rmsNormRef, matmulRef).
// x: (m, k); normWeight: (k); w: (n, k) (packed weights passed already rounded); returns (m, n).

import { matmulRef, rmsNormRef } from '@mamba-webgpu/tensor';

/** out = rmsnorm(x) * normWeight @ w^T on the CPU. */
export function rmsNormMatmulRef(
  x: Float32Array,
  normWeight: Float32Array,
  w: Float32Array,
  m: number,
  n: number,
  k: number,
  eps: number,
): Float32Array {
  return matmulRef(rmsNormRef(x, normWeight, k, eps), w, m, n, k);
}
