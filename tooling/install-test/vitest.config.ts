import { vitestPreset } from '@mamba-webgpu/tooling/vitest';
import { defineConfig } from 'vitest/config';

export default defineConfig(vitestPreset({ include: ['test/**/*.test.ts'], testTimeout: 180_000 }));
