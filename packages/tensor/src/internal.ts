// Internal API for sibling packages (scan-kernels, mamba-model, bench): the building blocks of
// kernels. Users should not need these; they may change without a major version.

export { defineParams, type ParamsLayout, type ParamType } from './device/params.js';
export { BufferPool, sizeClass, STORAGE_USAGE } from './device/buffer-pool.js';
export { getGpu } from './device/gpu-provider.js';
export { numelOf } from './tensor/tensor.js';
export {
  packHalves,
  unpackHalves,
  roundThrough,
  f32ToBf16Bits,
  bf16BitsToF32,
  f32ToF16Bits,
  f16BitsToF32,
} from './tensor/dtype.js';
export { unpackWgsl } from './ops/wgsl-common.js';
export { workgroupCount, dispatch1d } from './ops/launch.js';
export { copyVec4 } from './ops/copy/copy.js';
export { contiguousOperand } from './ops/copy/contiguous.js';
export {
  contiguousStrides,
  isContiguousLayout,
  layoutExtent,
  coalesceLayout,
  gatherLayout,
} from './tensor/layout.js';
export {
  buildKernel,
  codeConstants,
  kernelKey,
  kernelPipeline,
  viewIndexWgsl,
  viewParams,
  viewParamValues,
  type KernelSpec,
  type StorageSpec,
  type ConstantValue,
} from './shader/builder.js';
export { wgslLibrary, resolveLibraries, MATH, type WgslLibrary } from './shader/library.js';
export { type KernelVersion, pickKernel, kernelNamed } from './ops/kernel-version.js';
export {
  type BindingWindow,
  type ChunkingOptions,
  bindingWindow,
  viewWindow,
  wholeBinding,
  bindingBudget,
  itemsPerWindow,
  elementBytes,
  dummyBinding,
  dummyWritableBinding,
} from './ops/binding-window.js';
export { wgslStorageType } from './ops/wgsl-common.js';
export { measure, type MeasureOptions, type Measurement, type Clock } from './timing/measure.js';
export { summarize, median, quantile, perSecond, type SampleStats } from './timing/statistics.js';
export { optionalBinding, windowOperand } from './ops/operand.js';
export { requireTensor, checkOutput } from './ops/validate.js';
