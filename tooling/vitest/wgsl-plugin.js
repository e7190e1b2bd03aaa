// Vite/vitest plugin: `import src from './kernel.wgsl'` yields the file's text, as tsup's
// `loader: { '.wgsl': 'text' }` does in built bundles.
import { readFileSync } from 'node:fs';

export function wgslPlugin() {
  return {
    name: 'mamba-webgpu:wgsl-text',
    enforce: 'pre',
    load(id) {
      const path = id.split('?')[0];
      if (!path.endsWith('.wgsl')) return null;
      return `export default ${JSON.stringify(readFileSync(path, 'utf8'))};`;
    },
  };
}
