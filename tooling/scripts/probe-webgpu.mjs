// Exits 0 and prints the adapter when Dawn (npm `webgpu`, resolved from packages/tensor) finds a
// WebGPU adapter on this machine; exits 1 otherwise. Used by tooling/setup.sh.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(fileURLToPath(new URL('../../packages/tensor/package.json', import.meta.url)));
let webgpu;
try {
  webgpu = require('webgpu');
} catch (error) {
  console.error(`probe-webgpu: cannot load the npm package 'webgpu': ${error.message}`);
  process.exit(1);
}
// Keep Dawn's instance referenced for the whole process (see packages/tensor/src/device/gpu-provider.ts).
globalThis.__probeGpu = webgpu.create([]);
const adapter = await globalThis.__probeGpu.requestAdapter();
if (!adapter) {
  console.error('probe-webgpu: no WebGPU adapter');
  process.exit(1);
}
const i = adapter.info;
console.log(
  `probe-webgpu: adapter ${[i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' / ')}`,
);
process.exit(0);
