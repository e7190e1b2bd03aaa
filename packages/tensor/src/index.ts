// @mamba-webgpu/tensor: WebGPU device layer, tensors with a buffer pool, and core ops each with
// a plain-TypeScript CPU reference.

export {
  GpuContext,
  createGpuContext,
  getGpuContext,
  type GpuContextOptions,
  type AdapterSummary,
  type GpuFeatures,
  type Binding,
  type DispatchOptions,
} from './device/context.js';
export type { BufferPoolStats } from './device/buffer-pool.js';
export * from './errors.js';
export { Tensor, zeros, disposeAll } from './tensor/tensor.js';
export { type DType, type HostArray, DTYPES, byteLength, isPacked16 } from './tensor/dtype.js';
// ops
export { unary, silu, softplus, exp, type UnaryOp } from './ops/unary/unary.js';
export { unaryRef, siluRef, softplusRef } from './ops/unary/unary-ref.js';
export {
  matmul,
  type MatmulOptions,
  type MatmulKernel,
  MATMUL_KERNELS,
  GEMV_MAX_M,
} from './ops/matmul/matmul.js';
export { matmulRef } from './ops/matmul/matmul-ref.js';
export { rmsNorm, addRmsNorm, type RmsNormOptions, type AddRmsNormOptions } from './ops/rmsnorm/rmsnorm.js';
export { rmsNormRef, addRmsNormRef } from './ops/rmsnorm/rmsnorm-ref.js';
