// @mamba-webgpu/tensor: WebGPU device layer, tensors with a buffer pool, and core ops each with
// a plain-TypeScript CPU reference.

export {
  GpuContext,
  Recording,
  createGpuContext,
  getGpuContext,
  type GpuContextOptions,
  type AdapterSummary,
  type GpuFeatures,
  type Binding,
  type DispatchOptions,
  type KernelTime,
} from './device/context.js';
export type { BufferPoolStats } from './device/buffer-pool.js';
export * from './errors.js';
export { Tensor, zeros, disposeAll } from './tensor/tensor.js';
export type { Layout } from './tensor/layout.js';
export { contiguous } from './ops/copy/contiguous.js';
export {
  type DType,
  type FloatDType,
  type HostArray,
  DTYPES,
  QUANT_BLOCK,
  QUANT_BLOCK_WORDS,
  byteLength,
  isPacked16,
  isQuantized,
} from './tensor/dtype.js';
export { quantize, dequantize, roundThroughQuantized } from './tensor/quant.js';
// ops
export { unary, silu, softplus, exp, type UnaryOp } from './ops/unary/unary.js';
export { unaryRef, siluRef, softplusRef } from './ops/unary/unary-ref.js';
export {
  matmul,
  type MatmulOptions,
  type MatmulKernel,
  type MatmulKernelVersion,
  type MatmulProblem,
  type MatrixOperand,
  MATMUL_KERNELS,
  GEMV_MAX_M,
} from './ops/matmul/matmul.js';
export { matmulRef } from './ops/matmul/matmul-ref.js';
export { rmsNorm, addRmsNorm, type RmsNormOptions, type AddRmsNormOptions } from './ops/rmsnorm/rmsnorm.js';
export { rmsNormRef, addRmsNormRef } from './ops/rmsnorm/rmsnorm-ref.js';
export { quantizeTensor } from './ops/quantize/quantize.js';
export { embedding } from './ops/embedding/embedding.js';
export { embeddingRef } from './ops/embedding/embedding-ref.js';
export { argmax } from './ops/argmax/argmax.js';
export { argmaxRef } from './ops/argmax/argmax-ref.js';
export { softmax, logSoftmax } from './ops/softmax/softmax.js';
export { softmaxRef, logSoftmaxRef } from './ops/softmax/softmax-ref.js';
export { binary, add, mul, type BinaryOp } from './ops/binary/binary.js';
export { binaryRef } from './ops/binary/binary-ref.js';
export type { ChunkingOptions } from './ops/binding-window.js';
// autograd
export { Tape, type TapeNode, type InputGrads, retain, retainPlain } from './autograd/tape.js';
export * as autograd from './autograd/index.js';
export { numericGradient, dot } from './autograd/grad-check.js';
// backward kernels (autograd uses them; custom training code may too)
export { sumRows } from './ops/reduce/sum-rows.js';
export { unaryBackward, unaryBackwardRef } from './ops/unary/unary-backward.js';
export {
  rmsNormBackward,
  rmsNormBackwardRef,
  type RmsNormBackwardResult,
} from './ops/rmsnorm/rmsnorm-backward.js';
export { logSoftmaxBackward, logSoftmaxBackwardRef } from './ops/softmax/log-softmax-backward.js';
export { embeddingBackward, groupTokens } from './ops/embedding/embedding-backward.js';
export {
  lmHeadCrossEntropy,
  IGNORE_INDEX,
  type LmHeadLossOptions,
  type LmHeadLossResult,
} from './ops/loss/cross-entropy.js';
export { copyInto } from './ops/copy/copy-into.js';
