// The no-adapter remedies name steps an npm user can take (a package to install, a browser flag)
// and the README section, never a script that only this repository has.
import { describe, expect, it } from 'vitest';
import { noAdapterRemedy, noImplementationRemedy } from './gpu-provider.js';

const RUNTIMES = ['linux', 'darwin', 'win32', 'browser'];

describe('no-adapter remedies', () => {
  it('on Linux: install the Vulkan driver or lavapipe with apt (Debian 12: backports)', () => {
    const remedy = noAdapterRemedy('linux');
    expect(remedy).toContain('`sudo apt install mesa-vulkan-drivers`');
    expect(remedy).toContain('bookworm-backports');
    expect(remedy).toContain('README of @mamba-webgpu/tensor');
  });

  it('in a browser: a browser with WebGPU; Node without Dawn: reinstall npm webgpu', () => {
    expect(noAdapterRemedy('browser')).toMatch(/Chrome\/Edge 113\+.*--enable-unsafe-webgpu/);
    expect(noImplementationRemedy('linux')).toContain('`npm install webgpu`');
    expect(noImplementationRemedy('browser')).toBe(noAdapterRemedy('browser'));
  });

  it('names no repository path, on every runtime', () => {
    for (const runtime of RUNTIMES) {
      for (const remedy of [noAdapterRemedy(runtime), noImplementationRemedy(runtime)]) {
        expect(remedy).not.toMatch(/tooling\/|\.sh\b|pnpm /);
      }
    }
  });
});
