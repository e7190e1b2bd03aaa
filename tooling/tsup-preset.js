// Shared tsup preset: ESM + .d.ts per package, WGSL files imported as strings (the same rule
// as vitest's wgsl plugin, so built code and tested code load shaders identically).
/** @param {import('tsup').Options} options */
export function tsupPreset(options) {
  return {
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    loader: { '.wgsl': 'text' },
    external: ['webgpu'],
    ...options,
  };
}
