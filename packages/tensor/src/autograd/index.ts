// The differentiable op set, grouped for `import { autograd } from '@mamba-webgpu/tensor'`:
// `autograd.linear(tape, x, w)`, views, broadcast, the fused LM-head loss, checkpointing.

export { add, addRmsNorm, embedding, linear, logSoftmax, mul, rmsNorm, unary } from './ops.js';
export { makeContiguous as contiguous, reshape, slice, transpose, view } from './views.js';
export { checkpoint } from './checkpoint.js';
export { lmHeadLoss } from './loss.js';
export { broadcast } from './broadcast.js';
