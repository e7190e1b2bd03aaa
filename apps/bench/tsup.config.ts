import { tsupPreset } from '@mamba-webgpu/tooling/tsup';
import { defineConfig } from 'tsup';

// One self-contained bundle (every dependency inlined except the native `webgpu` package) so the
// bench runs on a bare GPU machine with only node + webgpu (see ../shared/GPU.md).
export default defineConfig(
  tsupPreset({
    entry: ['src/cli.ts'],
    platform: 'node',
    dts: false,
    noExternal: [/.*/],
    external: ['webgpu'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  }),
);
