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

/** Where the remedies are spelled out: a README every npm install has (and npm's page shows). */
const SEE_README = 'see "WebGPU adapter" in the README of @mamba-webgpu/tensor';

/** The runtime a remedy is for: Node's `process.platform`, or `'browser'` anywhere else. */
function currentRuntime(): string {
  return isNode() ? process.platform : 'browser';
}

/**
 * The remedy printed when no adapter exists: a step the user can take on their platform (not a
 * script of this repository), and where the README explains it.
 */
export function noAdapterRemedy(runtime: string = currentRuntime()): string {
  if (runtime === 'browser') {
    return 'use a browser with WebGPU enabled (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu)';
  }
  if (runtime === 'linux') {
    // Dawn refuses Mesa 22 (Debian 12's own); the 25.x of bookworm-backports works.
    return (
      "install your GPU's Vulkan driver, or Mesa's software one (lavapipe, runs on the CPU): " +
      '`sudo apt install mesa-vulkan-drivers` on Debian/Ubuntu (Debian 12: from bookworm-backports, ' +
      `its own Mesa 22 is too old for Dawn); ${SEE_README}`
    );
  }
  return `install or update your GPU's driver (Dawn uses Metal on macOS, D3D12 or Vulkan on Windows); ${SEE_README}`;
}

/** The remedy printed when there is no WebGPU at all (no `navigator.gpu`, npm `webgpu` did not load). */
export function noImplementationRemedy(runtime: string = currentRuntime()): string {
  if (runtime === 'browser') return noAdapterRemedy(runtime);
  return (
    'the npm package `webgpu` (Dawn, a dependency of @mamba-webgpu/tensor) did not load: reinstall it ' +
    `(\`npm install webgpu\`; it ships Dawn for linux-x64, linux-arm64, macOS, win32-x64 and win32-arm64); ${SEE_README}`
  );
}
