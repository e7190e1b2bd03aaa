// Shared tsup preset: ESM + .d.ts per package, WGSL files imported as strings (the same rule
// as vitest's wgsl plugin, so built code and tested code load shaders identically).
// `dtsLibs` names the TypeScript libs the emitted .d.ts need beyond a consumer's usual `lib`
// (`esnext.disposable` for `[Symbol.dispose]`): each becomes a `/// <reference lib>` line on top.
/** @param {import('tsup').Options & { dtsLibs?: string[] }} options */
export function tsupPreset({ dtsLibs = [], ...options }) {
  const banner = dtsLibs.map((lib) => `/// <reference lib="${lib}" />`).join('\n');
  return {
    format: ['esm'],
    dts: banner ? { banner } : true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform: 'neutral',
    loader: { '.wgsl': 'text' },
    external: ['webgpu'],
    ...options,
  };
}
