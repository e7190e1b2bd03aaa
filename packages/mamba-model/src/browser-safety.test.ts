// The browser entries must stay browser-safe: no module reachable from the loading layer's,
// the training layer's or the tasks module's entry may import a Node built-in (file and network
// access lives in the `node-*` modules that `src/node.ts` exports; the playground trains with
// the tasks module).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module (files, and bare specifiers) reachable by static imports from `entry`. */
function reachable(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(entry, 'utf8');
  for (const match of source.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'/g)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.') && !specifier.endsWith('.wgsl')) {
      reachable(join(dirname(entry), specifier.replace(/\.js$/, '.ts')), seen);
    } else seen.add(specifier);
  }
  return seen;
}

function nodeBuiltins(modules: readonly string[]): string[] {
  return modules.filter((m) => m.startsWith('node:') || /^(fs|path|os|http|https|crypto)$/.test(m));
}

describe('browser safety', () => {
  it('the browser entry of the loading layer imports no Node built-ins', () => {
    const modules = [...reachable(join(here, 'loading', 'index.ts'))];
    expect(modules.some((m) => m.endsWith('opfs-cache.ts'))).toBe(true); // the browser's model cache
    expect(nodeBuiltins(modules)).toEqual([]);
    expect(modules.some((m) => m.endsWith('node-hub.ts') || m.endsWith('progress.ts'))).toBe(false);
  });

  it('the browser entry of the training layer imports no Node built-ins', () => {
    const modules = [...reachable(join(here, 'training', 'index.ts'))];
    expect(modules.some((m) => m.endsWith('adamw.ts'))).toBe(true);
    expect(nodeBuiltins(modules)).toEqual([]);
    expect(modules.some((m) => /[/\\]node-[^/\\]*\.ts$/.test(m))).toBe(false);
  });

  it('the tasks module imports no Node built-ins', () => {
    const modules = [...reachable(join(here, 'tasks', 'index.ts'))];
    expect(modules.some((m) => m.endsWith('trainer.ts'))).toBe(true);
    expect(nodeBuiltins(modules)).toEqual([]);
    expect(modules.some((m) => /[/\\]node-[^/\\]*\.ts$/.test(m))).toBe(false);
  });
});
