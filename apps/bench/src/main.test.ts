// The CLI end to end with fake suites and no GPU: exit codes, the JSON file's shape, default
// outputs, the no-adapter path and --compare.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GpuContext, NoAdapterError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { type MainIo, main } from './main.js';
import { type BenchResult, KEY_LIMITS, parseResult } from './result.js';
import { runSuites } from './runner.js';
import { ProgressReporter } from './progress.js';
import { syntheticResult } from './testing/synthetic-result.js';
import type { BenchSuite } from './types.js';

function captureIo(cwd: string): MainIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    cwd,
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t), isTTY: false },
    out: () => out,
    err: () => err,
  };
}

const noGpu = () =>
  Promise.reject(new NoAdapterError('createGpuContext: no WebGPU adapter available; install a driver'));

const cpuSuite: BenchSuite = {
  name: 'tokenizer',
  description: 'fake CPU suite',
  needsGpu: false,
  async run(ctx) {
    ctx.progress(1, 2, 'half');
    ctx.progress(2, 2, 'done');
    return [
      { suite: 'tokenizer', name: 'encode/ours', shape: 'wiki', value: 20, unit: 'MB/s', spread: 0.02 },
      {
        suite: '',
        name: 'encode/hf',
        shape: 'wiki',
        value: 14,
        unit: 'MB/s',
        extra: { ctx: `${ctx.sizing}/${ctx.timeBudgetMs}` },
      },
    ];
  },
};
const gpuSuite: BenchSuite = {
  name: 'scan',
  description: 'fake GPU suite',
  needsGpu: true,
  run: async () => [],
};
const failingSuite: BenchSuite = {
  name: 'ops',
  description: 'throws',
  needsGpu: false,
  run: async () => {
    throw new RangeError('ops: matmul exploded');
  },
};

const tempDir = () => mkdtempSync(join(tmpdir(), 'mamba-bench-'));

describe('main', () => {
  it('runs CPU suites without an adapter, skips GPU ones, and writes a schema-2 JSON', async () => {
    const dir = tempDir();
    const io = captureIo(dir);
    const code = await main(['--json', 'out/r.json', '--budget', '3', '--markdown', 'out/r.md'], {
      io,
      suites: [gpuSuite, cpuSuite],
      getGpu: noGpu,
    });
    expect(code).toBe(0);
    expect(io.err()).toContain(
      'No GPU: NoAdapterError: createGpuContext: no WebGPU adapter available; install a driver',
    );
    expect(io.out()).toContain('adapter: none');
    expect(io.out().match(/anchors: not this adapter/g)).toHaveLength(1);
    expect(io.out()).toContain('spread: median absolute deviation / median');
    expect(io.out()).not.toContain('vs official');
    expect(io.out()).toMatch(/\[tokenizer\]\n +encode\/ours +wiki +20 +MB\/s/);
    expect(io.out()).toContain('note: skipped without a GPU: scan');
    expect(existsSync(join(dir, 'bench-results'))).toBe(false);
    const markdown = readFileSync(join(dir, 'out/r.md'), 'utf8');
    expect(markdown).toContain('| tokenizer | encode/ours | wiki | 20 | MB/s | ±2.0% |  |');
    expect(markdown).toContain('spread: median absolute deviation / median');

    const result = JSON.parse(readFileSync(join(dir, 'out/r.json'), 'utf8')) as BenchResult;
    expect(() => parseResult(result, 'r.json')).not.toThrow();
    expect(Object.keys(result)).toEqual(['schema', 'meta', 'suites', 'rows']);
    expect(result.schema).toBe(2);
    expect(Object.keys(result.meta).sort()).toEqual(
      [
        'adapter',
        'argv',
        'budgetSeconds',
        'date',
        'features',
        'gitCommit',
        'limits',
        'node',
        'platform',
        'sizing',
        'spread',
        'anchors',
      ].sort(),
    );
    expect(result.meta).toMatchObject({
      adapter: null,
      spread: 'median absolute deviation / median',
      anchors: { matched: false },
      sizing: 'small',
      budgetSeconds: 3,
      argv: ['--json', 'out/r.json', '--budget', '3', '--markdown', 'out/r.md'],
    });
    expect(new Date(result.meta.date).toISOString()).toBe(result.meta.date);
    expect(result.meta.gitCommit).toMatch(/^([0-9a-f]{7,64}|unknown|.+)$/);
    expect(result.suites).toEqual([
      { name: 'scan', ok: false, skipped: expect.stringContaining('no GPU adapter'), seconds: 0, rows: 0 },
      { name: 'tokenizer', ok: true, seconds: expect.any(Number), rows: 2 },
    ]);
    expect(result.rows.map((r) => r.suite)).toEqual(['tokenizer', 'tokenizer']);
    expect(result.rows[1]!.extra).toEqual({ ctx: 'small/3000' });
  });

  it('continues after a failing suite and exits 1', async () => {
    const dir = tempDir();
    const io = captureIo(dir);
    const code = await main(['--json', 'r.json'], { io, suites: [failingSuite, cpuSuite], getGpu: noGpu });
    expect(code).toBe(1);
    expect(io.err()).toContain('FAILED ops after');
    expect(io.err()).toContain('RangeError: ops: matmul exploded');
    const result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchResult;
    expect(result.suites[0]).toMatchObject({
      name: 'ops',
      ok: false,
      error: 'RangeError: ops: matmul exploded',
    });
    expect(result.suites[1]).toMatchObject({ name: 'tokenizer', ok: true });
    expect(result.rows).toHaveLength(2);
  });

  it('writes bench-results/latest.{json,html} by default and keeps the previous JSON', async () => {
    const dir = tempDir();
    for (let run = 0; run < 2; run++) {
      const io = captureIo(dir);
      expect(await main([], { io, suites: [cpuSuite], getGpu: noGpu })).toBe(0);
      expect(io.out()).toContain('JSON:   bench-results/latest.json');
      expect(io.out()).toContain('report: bench-results/latest.html');
      if (run === 1)
        expect(io.out()).toContain('--compare bench-results/previous.json bench-results/latest.json');
    }
    expect(existsSync(join(dir, 'bench-results/previous.json'))).toBe(true);
    expect(readFileSync(join(dir, 'bench-results/latest.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('rejects a suite row without a numeric value as that suite failing', async () => {
    const bad: BenchSuite = {
      ...cpuSuite,
      run: async () => [{ suite: 'tokenizer', name: 'x', shape: 's', unit: 'MB/s' } as never],
    };
    const io = captureIo(tempDir());
    expect(await main(['--json', 'r.json'], { io, suites: [bad], getGpu: noGpu })).toBe(1);
    expect(io.err()).toContain('tokenizer: row 0 (x s) has value undefined, expected a number');
  });

  it('exits 2 with the usage on a bad flag or an unknown suite', async () => {
    const io = captureIo(tempDir());
    expect(await main(['--sizing', 'tiny'], { io, suites: [], getGpu: noGpu })).toBe(2);
    expect(io.err()).toContain('mamba-bench: --sizing must be small or full');
    expect(io.err()).toContain('Usage: mamba-bench');
    const io2 = captureIo(tempDir());
    expect(await main(['--suite', 'model'], { io: io2, suites: [cpuSuite], getGpu: noGpu })).toBe(2);
    expect(io2.err()).toContain('unknown suite "model"; registered: tokenizer');
  });

  it('compares two result files and exits 0 even with regressions', async () => {
    const dir = tempDir();
    const old = syntheticResult();
    const slower = syntheticResult(
      old.rows.map((r) => ({ ...r, value: r.unit === 'ms' ? r.value * 2 : r.value / 2 })),
    );
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(slower));
    const io = captureIo(dir);
    expect(await main(['--compare', 'old.json', 'new.json'], { io, getGpu: noGpu })).toBe(0);
    expect(io.out()).toContain(`${old.rows.length} matched: ${old.rows.length} regressions`);
    const io2 = captureIo(dir);
    writeFileSync(join(dir, 'bad.json'), '{"schema": 3}');
    expect(await main(['--compare', 'old.json', 'bad.json'], { io: io2, getGpu: noGpu })).toBe(2);
    expect(io2.err()).toContain('is not a bench result (schema 3, expected 1 or 2)');
  });
});

/** A GPU context with only what main() reads, claiming to be `vendor / device`. */
function fakeGpu(vendor: string, device: string): GpuContext {
  return {
    adapter: { vendor, architecture: '', device, description: 'fake', isCpu: false },
    describe: () => `${vendor} / ${device} / fake`,
    limits: Object.fromEntries(KEY_LIMITS.map((k) => [k, 1 << 20])),
    device: { features: new Set<string>() },
    isDisposed: false,
    pool: { trim: () => undefined },
    checkErrors: async () => undefined,
    dispose: () => undefined,
  } as unknown as GpuContext;
}

const modelSuite: BenchSuite = {
  name: 'model',
  description: 'fake model suite of mamba-130m rows',
  needsGpu: true,
  run: async () => [
    {
      suite: 'model',
      name: 'prefill',
      shape: 'L=2048',
      value: 97_000,
      unit: 'tok/s',
      spread: 0.01,
      outliers: 1,
      extra: { config: 'mamba-130m (random, f32)' },
    },
  ],
};

describe('main with anchors', () => {
  it('puts the official figure and ratio beside ours on the anchors GPU', async () => {
    const dir = tempDir();
    const io = captureIo(dir);
    const argv = ['--sizing', 'small', '--json', 'r.json', '--markdown', 'r.md'];
    const code = await main(argv, {
      io,
      suites: [modelSuite],
      getGpu: async () => fakeGpu('nvidia', 'nvidia-h200'),
    });
    expect(code).toBe(0);
    expect(io.out()).toContain('anchors: NVIDIA H200: the official CUDA stack');
    // Official prefill L=2048 (same work): the better of 88908 and 74271 tok/s.
    expect(io.out()).toMatch(/prefill +L=2048 +97000 +tok\/s +±1\.0% +1 +88908 +1\.09x/);
    const result = parseResult(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')), 'r.json');
    expect(result.meta.anchors?.matched).toBe(true);
    expect(result.rows[0]!.official).toEqual({
      value: 88908,
      ratio: 1.091,
      source: 'mamba_ssm generate, 1 token',
    });
    expect(readFileSync(join(dir, 'r.md'), 'utf8')).toContain(
      '| suite | name | shape | value | unit | spread | outliers | official | vs official | extra |',
    );
  });

  it('says once that the anchors are not for another adapter, and adds no ratio', async () => {
    const dir = tempDir();
    const io = captureIo(dir);
    const code = await main(['--sizing', 'small', '--json', 'r.json'], {
      io,
      suites: [modelSuite],
      getGpu: async () => fakeGpu('mesa', 'llvmpipe'),
    });
    expect(code).toBe(0);
    expect(io.out().match(/anchors: not this adapter/g)).toHaveLength(1);
    expect(io.out()).not.toContain('vs official');
    const result = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')) as BenchResult;
    expect(result.rows[0]!.official).toBeUndefined();
  });
});

describe('runSuites', () => {
  it('drops stale device errors before a suite, checks its own after, and trims the pool', async () => {
    const calls: string[] = [];
    let pending: string | undefined = 'stale';
    const gpu = {
      isDisposed: false,
      pool: { trim: () => calls.push('trim') },
      async checkErrors(caller: string) {
        calls.push(`check ${caller}`);
        const error = pending;
        pending = undefined;
        if (error) throw new Error(`${caller}: ${error}`);
      },
    } as unknown as GpuContext;
    const leaky: BenchSuite = {
      name: 'scan',
      description: 'leaves an error',
      needsGpu: true,
      run: async () => {
        pending = 'validation error';
        return [];
      },
    };
    const progress = new ProgressReporter({ stream: { write: () => 0 }, tickMs: 0 });
    const outcome = await runSuites([gpuSuite, leaky], { gpu, sizing: 'full', budgetMs: 1000, progress });
    expect(outcome.suites.map((s) => [s.name, s.ok, s.error])).toEqual([
      ['scan', true, undefined],
      ['scan', false, 'Error: scan: validation error'],
    ]);
    expect(calls).toEqual(['check scan', 'check scan', 'trim', 'check scan', 'check scan', 'trim']);
  });

  it('fails a suite that runs past the hard limit and goes on with the next', async () => {
    const lines: string[] = [];
    const progress = new ProgressReporter({
      stream: { write: (t: string) => lines.push(t) },
      now: () => 0,
      tickMs: 0,
    });
    const hanging: BenchSuite = {
      name: 'scan',
      description: 'never ends',
      needsGpu: false,
      run: () => new Promise(() => {}),
    };
    const outcome = await runSuites([hanging, cpuSuite], {
      gpu: undefined,
      sizing: 'small',
      budgetMs: 10,
      hardLimitMs: 20,
      progress,
    });
    expect(outcome.suites[0]).toMatchObject({
      name: 'scan',
      ok: false,
      error: 'SuiteTimeoutError: scan: still running after the hard limit of 0 s',
    });
    expect(outcome.suites[1]).toMatchObject({ name: 'tokenizer', ok: true });
  });

  it('gives each suite the sizing, budget and a progress callback', async () => {
    const lines: string[] = [];
    const progress = new ProgressReporter({ stream: { write: (t: string) => lines.push(t) }, now: () => 0 });
    const outcome = await runSuites([cpuSuite], { gpu: undefined, sizing: 'full', budgetMs: 1234, progress });
    expect(outcome.rows[1]!.extra).toEqual({ ctx: 'full/1234' });
    expect(outcome.suites[0]).toMatchObject({ name: 'tokenizer', ok: true, rows: 2 });
    expect(lines.at(-1)).toMatch(/^ok tokenizer: 2 rows in/);
  });
});
