import { tsupPreset } from '@mamba-webgpu/tooling/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(
  tsupPreset({
    entry: ['src/index.ts', 'src/node.ts', 'src/cli.ts'],
    platform: 'node',
    dtsLibs: ['esnext.disposable'],
  }),
);
