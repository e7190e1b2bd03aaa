// First use as an npm user meets it: `pnpm pack` each published package (workspace deps
// rewritten to versions), `npm install` the tarballs into a fresh folder outside the repo, then
// (a) generate on the mamba-tiny fixture from a Node ESM script through loadModel, (b) type-check
// a strict consumer without skipLibCheck on TypeScript 6 and 5, (c) vite-build a browser page.
// (a) needs a WebGPU adapter and fails, with NoAdapterError's remedy, when there is none.

import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runsHere, skipHere } from '@mamba-webgpu/tooling/vitest/environment';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const consumerFiles = fileURLToPath(new URL('../consumer/', import.meta.url));
const PACKAGES = ['tensor', 'scan-kernels', 'mamba-model', 'tokenizer'];
/** The TypeScript 5 release the "types@<6.0" entries are checked with (installed from npm). */
const TYPESCRIPT_5 = '5.9.3';
const require = createRequire(import.meta.url);
const tsc6 = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
const vite = join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
const fixture = join(repo, 'packages/mamba-model/test/fixtures/mamba-tiny');
const tokenizerJson = join(repo, 'packages/tokenizer/test/fixtures/gpt-neox-20b/tokenizer.json');

interface RunResult {
  code: number;
  output: string;
}

/** Runs a command to completion; never throws, so a failure's output lands in the assertion. */
function run(command: string, args: string[], cwd: string, env = childEnv()): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout: 170_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** The environment of a user's shell: without the variables pnpm sets for the running script. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(npm_(package|lifecycle)_|npm_config_user_agent$|pnpm_|PNPM_)/.test(key)) delete env[key];
  }
  return env;
}

async function must(command: string, args: string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(
      `install test: \`${command} ${args.join(' ')}\` failed (${result.code}):\n${result.output}`,
    );
  }
  return result.output;
}

let root: string;
let consumer: string;
const timings: string[] = [];

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings.push(`${label} ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

beforeAll(async () => {
  for (const name of PACKAGES) {
    if (!existsSync(join(repo, 'packages', name, 'dist'))) {
      throw new Error(`install test: packages/${name}/dist is missing; run pnpm build first`);
    }
  }
  root = mkdtempSync(join(tmpdir(), 'mamba-webgpu-install-'));
  const tarballs = join(root, 'tarballs');
  mkdirSync(tarballs);
  await timed('pnpm pack x4', async () => {
    for (const name of PACKAGES) {
      await must('pnpm', ['pack', '--pack-destination', tarballs], join(repo, 'packages', name));
    }
  });
  consumer = join(root, 'consumer');
  cpSync(consumerFiles, consumer, { recursive: true });
  const dependencies = Object.fromEntries(
    readdirSync(tarballs).map((file) => [
      `@mamba-webgpu/${file.replace(/^mamba-webgpu-/, '').replace(/-\d+\.\d+\.\d+.*\.tgz$/, '')}`,
      `file:${join(tarballs, file)}`,
    ]),
  );
  expect(Object.keys(dependencies).sort()).toEqual(PACKAGES.map((p) => `@mamba-webgpu/${p}`).sort());
  const devDependencies = { '@types/node': '^20.19.0', typescript: TYPESCRIPT_5 };
  const manifest = { name: 'consumer', private: true, type: 'module', dependencies, devDependencies };
  writeFileSync(join(consumer, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  // npm's own cache (shared by every npm run here; npm_config_cache moves it): registry packages
  // download once, and --prefer-offline skips re-validating their metadata on later runs.
  await timed('npm install', () =>
    must('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], consumer),
  );
}, 240_000);

afterAll(() => {
  console.log(`install test: ${timings.join(', ')}`);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('installed from the packed tarballs', () => {
  it('installs with workspace deps rewritten to versions and every file it needs', () => {
    for (const name of PACKAGES) {
      const dir = join(consumer, 'node_modules/@mamba-webgpu', name);
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      expect(JSON.stringify(pkg.dependencies ?? {})).not.toContain('workspace:');
      expect(existsSync(join(dir, 'LICENSE')), `${name} ships LICENSE`).toBe(true);
      expect(existsSync(join(dir, 'README.md')), `${name} ships README.md`).toBe(true);
      expect(existsSync(join(dir, 'src')), `${name} ships no src/`).toBe(false);
    }
  });

  it('(a) a Node ESM script generates Hugging Face greedy ids through loadModel (needs a WebGPU adapter)', async () => {
    const result = await timed('node generate', () =>
      run(process.execPath, ['generate.mjs', fixture, tokenizerJson], consumer),
    );
    // No adapter: the script dies with NoAdapterError and its remedy, and this fails loudly.
    expect(result.code, result.output).toBe(0);
    const adapter = /^adapter: (.*)$/m.exec(result.output)?.[1];
    console.log(`install test: generated on ${adapter}`);
    const line = /^result: (.*)$/m.exec(result.output)?.[1];
    expect(line, result.output).toBeDefined();
    const { ids, want, helloIds, scanRef } = JSON.parse(line!);
    expect(ids).toEqual(want);
    expect(want.length).toBeGreaterThan(0);
    expect(helloIds).toEqual([12092, 1533]); // GPT-NeoX-20B ids of "Hello world"
    expect(scanRef).toBe('function');
  });

  it('(a) the installed `mamba-webgpu` command generates from the fixture', async () => {
    const bin = join(consumer, 'node_modules/.bin/mamba-webgpu');
    const args = [
      'generate',
      '--model',
      fixture,
      '--ids',
      '1,2,3',
      '--max-tokens',
      '4',
      '--no-eos',
      '--json',
    ];
    const result = await timed('mamba-webgpu bin', () => run(bin, args, consumer));
    expect(result.code, result.output).toBe(0);
    const { ids } = JSON.parse(result.output.split('\n').find((l) => l.startsWith('{'))!);
    expect(ids).toHaveLength(4);
  });

  const noDriverTest =
    '(a) with no Vulkan driver visible, it fails with NoAdapterError and a remedy an npm user can run';
  it.runIf(
    runsHere({
      suite: noDriverTest,
      available: process.platform === 'linux',
      missing: 'Linux (Vulkan drivers are hidden through VK_ICD_FILENAMES)',
      remedy: 'run on Linux (CI does)',
    }),
  )(noDriverTest, async (context) => {
    const env = {
      ...childEnv(),
      VK_ICD_FILENAMES: '/nonexistent.json',
      VK_DRIVER_FILES: '/nonexistent.json',
    };
    const result = await run(process.execPath, ['generate.mjs', fixture, tokenizerJson], consumer, env);
    if (result.code === 0) {
      skipHere(context, {
        suite: noDriverTest,
        missing:
          'a machine whose only WebGPU adapters are Vulkan ones (one was found without Vulkan drivers)',
        remedy: 'run on a Linux machine with Vulkan drivers only (CI does)',
      });
    }
    expect(result.output).toContain('NoAdapterError: createGpuContext: no WebGPU adapter available');
    expect(result.output).toContain('`sudo apt install mesa-vulkan-drivers`');
    expect(result.output).not.toContain('tooling/');
  });

  it('(b) a strict consumer type-checks without skipLibCheck on TypeScript 6 (nodenext and bundler)', async () => {
    const node = await timed('tsc 6 node', () => run(process.execPath, [tsc6, '-p', '.'], consumer));
    expect(node.code, node.output).toBe(0);
    const web = await timed('tsc 6 web', () => run(process.execPath, [tsc6, '-p', 'web'], consumer));
    expect(web.code, web.output).toBe(0);
  });

  it(`(b) ... and on TypeScript ${TYPESCRIPT_5} (the "types@<6.0" entries bring @webgpu/types)`, async () => {
    const tsc5 = join(consumer, 'node_modules/typescript/bin/tsc');
    const version = await must(process.execPath, [tsc5, '--version'], consumer);
    expect(version).toContain(TYPESCRIPT_5);
    const node = await timed('tsc 5 node', () =>
      run(process.execPath, [tsc5, '-p', '.', '--explainFiles'], consumer),
    );
    expect(
      node.code,
      node.output
        .split('\n')
        .filter((l) => l.includes('error'))
        .join('\n'),
    ).toBe(0);
    expect(node.output).toContain('@mamba-webgpu/tensor/ts5/index.d.ts');
    const web = await timed('tsc 5 web', () => run(process.execPath, [tsc5, '-p', 'web'], consumer));
    expect(web.code, web.output).toBe(0);
  });

  it('(c) vite builds a browser page importing the browser entries, with no Node built-ins', async () => {
    const web = join(consumer, 'web');
    const result = await timed('vite build', () =>
      run(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', 'dist'], web),
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/externalized for browser compatibility/);
    const assets = readdirSync(join(web, 'dist/assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    const bundle = assets.map((f) => readFileSync(join(web, 'dist/assets', f), 'utf8')).join('\n');
    expect(bundle).not.toMatch(/from\s*["']node:/);
    expect(bundle).toContain('mamba-webgpu'); // the device label: the library code is in the bundle
  });
});
