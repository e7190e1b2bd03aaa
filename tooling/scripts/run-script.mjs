// Bundles one TypeScript script (a tune or profile sweep) into a self-contained ESM file with the
// shared tsup preset (every dependency inlined but `webgpu`, .wgsl as text) and runs it with node.
// The root `tune:scan`, `tune:matmul` and `profile` scripts call it after building with turbo.
//
// Usage: node tooling/scripts/run-script.mjs <entry.ts> [--bundle-only] [script arguments...]
// The bundle goes to apps/bench/.bench-out/<name>.mjs (apps/bench depends on `webgpu`, so node
// resolves it from there here and, after `source .gpu/remote.sh`, on the GPU machine); $OUT
// defaults to that folder for the JSON the scripts write.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { tsupPreset } from '../tsup-preset.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'apps/bench/.bench-out');

const [entryArg, ...rest] = process.argv.slice(2);
if (!entryArg || entryArg.startsWith('-')) {
  console.error(
    'usage: node tooling/scripts/run-script.mjs <entry.ts> [--bundle-only] [script arguments...]',
  );
  process.exit(2);
}
const entry = resolve(root, entryArg);
if (!existsSync(entry)) {
  console.error(`run-script: ${entryArg} not found (paths are relative to the repository root)`);
  process.exit(2);
}
const bundleOnly = rest.includes('--bundle-only');
const scriptArgs = rest.filter((a) => a !== '--bundle-only');
const name = basename(entry).replace(/\.ts$/, '');

await build(
  tsupPreset({
    config: false,
    silent: true,
    entry: { [name]: entry },
    outDir,
    outExtension: () => ({ js: '.mjs' }),
    platform: 'node',
    dts: false,
    sourcemap: false,
    clean: false,
    noExternal: [/.*/],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  }),
);
const bundle = join(outDir, `${name}.mjs`);
console.error(`run-script: bundled ${relative(root, entry)} -> ${relative(root, bundle)}`);
if (bundleOnly) process.exit(0);

const run = spawnSync(process.execPath, [bundle, ...scriptArgs], {
  stdio: 'inherit',
  env: { ...process.env, OUT: process.env.OUT ?? outDir },
});
process.exit(run.status ?? 1);
