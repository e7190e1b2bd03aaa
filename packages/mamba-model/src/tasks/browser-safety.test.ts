// The tasks module must stay browser-safe (the playground trains with it): nothing reachable
// from `src/tasks/index.ts` may import a Node built-in or a `node-*` module.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

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

describe('browser safety', () => {
  it('the tasks module imports no Node built-ins', () => {
    const modules = [...reachable(join(here, 'index.ts'))];
    expect(modules.some((m) => m.endsWith('trainer.ts'))).toBe(true);
    expect(
      modules.filter((m) => m.startsWith('node:') || /^(fs|path|os|http|https|crypto)$/.test(m)),
    ).toEqual([]);
    expect(modules.some((m) => /[/\\]node-[^/\\]*\.ts$/.test(m))).toBe(false);
  });
});
