// Types of `@mamba-webgpu/tensor/testing` for TypeScript < 6 (the exports condition "types@<6.0"):
// TypeScript 6 has the WebGPU types in lib.dom (dist/ needs nothing more), older versions need
// @webgpu/types, which would clash with lib.dom on 6 (https://github.com/gpuweb/types#readme).
/// <reference types="@webgpu/types" />
export * from '../dist/testing.js';
