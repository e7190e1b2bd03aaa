// Finds the WebGPU entry point: `navigator.gpu` in browsers (and Deno), Dawn's Node binding (npm
// `webgpu`) in Node. The Dawn instance returned by `create()` must outlive every GPU promise, or
// the process dies (SIGSEGV / futex errors): it is kept on globalThis, never in a local.

declare global {
  // eslint-disable-next-line no-var
  var __mambaWebGpuDawn: GPU | undefined;
}

/** Dawn toggles applied on first creation in Node (full-resolution GPU timestamps). */
const DEFAULT_DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

function isNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node;
}

/**
 * Returns the `GPU` object of this runtime, or undefined when there is none.
 * In Node it loads npm `webgpu` and installs its globals (GPUBufferUsage...) if absent.
 * `MAMBA_WEBGPU_DAWN_FLAGS` (comma-separated) adds Dawn flags.
 */
export async function getGpu(dawnFlags: readonly string[] = []): Promise<GPU | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode()) return undefined;
  if (globalThis.__mambaWebGpuDawn) return globalThis.__mambaWebGpuDawn;
  // The module name sits in a variable so browser bundlers do not try to resolve it.
  const moduleName = 'webgpu';
  let mod: { create: (flags: string[]) => GPU; globals: Record<string, unknown> };
  try {
    mod = await import(/* @vite-ignore */ moduleName);
  } catch {
    return undefined;
  }
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in globalThis)) (globalThis as Record<string, unknown>)[key] = value;
  }
  const envFlags = (process.env.MAMBA_WEBGPU_DAWN_FLAGS ?? '').split(',').filter(Boolean);
  globalThis.__mambaWebGpuDawn ??= mod.create([...DEFAULT_DAWN_FLAGS, ...dawnFlags, ...envFlags]);
  return globalThis.__mambaWebGpuDawn;
}

/** The remedy printed when no adapter exists, per platform. */
export function noAdapterRemedy(): string {
  if (isNode() && process.platform === 'linux') {
    return 'install a Vulkan driver; without a GPU, Mesa lavapipe from Debian bookworm-backports works: run `bash tooling/scripts/install-vulkan.sh` (the plain bookworm Mesa 22 is refused by Dawn)';
  }
  if (isNode()) return 'check that the npm package `webgpu` is installed and a GPU driver is present';
  return 'use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu)';
}
