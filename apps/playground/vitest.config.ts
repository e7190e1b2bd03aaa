import { vitestPreset } from '@mamba-webgpu/tooling/vitest';
import { defineConfig } from 'vitest/config';

const preset = vitestPreset({ testTimeout: 180_000 });

export default defineConfig({
  ...preset,
  test: { ...preset.test, globalSetup: ['test/build-app.ts'] },
});
