import { tsupPreset } from '@mamba-webgpu/tooling/tsup';
import { defineConfig } from 'tsup';

export default defineConfig(
  tsupPreset({ entry: ['src/index.ts', 'src/internal.ts'], dtsLibs: ['esnext.disposable'] }),
);
