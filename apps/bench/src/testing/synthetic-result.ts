// Synthetic bench results for the report, JSON, compare and headline tests: rows of every suite
// shaped the way the suites report them, of H200 magnitude with official figures on the model and
// train rows (the numbers are invented), and a CPU adapter's run (lavapipe magnitudes: GB/s below
// 1, matmul figures spanning decades, every matmul kernel version as its own series).
import { type BenchResult, RESULT_SCHEMA, SPREAD_MEANING } from '../result.js';
import type { BenchRow } from '../types.js';

/** Rows of all four suites. */
export function syntheticRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  const scanShape = '(8,1536,2048,16)';
  rows.push({ suite: 'scan', name: 'copy/vec4', shape: '256 MB', value: 4100, unit: 'GB/s', spread: 0.01 });
  for (const [name, gbs] of [
    ['scan/v1-sequential', 140],
    ['scan/v2-chunked', 1250],
    ['scan/v3-subgroup', 2300],
  ] as const) {
    rows.push({
      suite: 'scan',
      name,
      shape: scanShape,
      value: gbs,
      unit: 'GB/s',
      spread: 0.03,
      extra: { ms: 405 / gbs },
    });
    rows.push({ suite: 'scan', name, shape: '(1,768,512,16)', value: gbs / 3, unit: 'GB/s', spread: 0.08 });
  }
  for (const batch of [16, 1, 4, 2, 8]) {
    rows.push({
      suite: 'model',
      name: 'decode',
      shape: `batch=${batch}`,
      value: 90 * batch ** 0.8,
      unit: 'tok/s',
      spread: 0.04,
    });
  }
  for (const L of [2048, 128, 512, 1024]) {
    rows.push({
      suite: 'model',
      name: 'prefill',
      shape: `L=${L}`,
      value: 30000 + L * 5,
      unit: 'tok/s',
      spread: 0.02,
      ...(L >= 512
        ? { official: { value: 20000 + L * 10, ratio: 1.1, source: 'mamba_ssm generate, 1 token' } }
        : {}),
    });
  }
  for (const [name, ms, official] of [
    ['scan forward + backward', 6.9, 2.92],
    ['scan backward (recomputes states)', 5.7, 2.06],
  ] as const) {
    rows.push({
      suite: 'train',
      name,
      shape: scanShape,
      value: ms,
      unit: 'ms',
      spread: 0.05,
      extra: { timing: 'submit-wall' },
      official: { value: official, ratio: official / ms, source: 'mamba_ssm selective_scan_cuda' },
    });
  }
  rows.push({
    suite: 'train',
    name: 'training step (fwd + loss + bwd + clip + AdamW)',
    shape: 'mamba-130m 8x2048',
    value: 22210,
    unit: 'tok/s',
    spread: 0.01,
    outliers: 1,
    extra: { 'step ms': 737.7, 'peak GiB (live)': 18.39, 'official peak GiB': 23.09 },
    official: { value: 45225, ratio: 0.491, source: 'mamba_ssm f32 training step' },
  });
  // As suites/tokenizer.ts reports them: op/implementation, one corpus, plus speed-up rows.
  const corpus = 'gpt-neox-20b, 180 docs, 512 KB';
  for (const [op, ours, hf] of [
    ['encode', 21.5, 14.2],
    ['decode', 180.1, 95.9],
  ] as const) {
    rows.push({
      suite: 'tokenizer',
      name: `${op}/ours`,
      shape: corpus,
      value: ours,
      unit: 'MB/s',
      spread: 0.05,
    });
    rows.push({
      suite: 'tokenizer',
      name: `${op}/hf-tokenizers`,
      shape: corpus,
      value: hf,
      unit: 'MB/s',
      spread: 0.06,
    });
    rows.push({
      suite: 'tokenizer',
      name: `${op}/ratio`,
      shape: corpus,
      value: ours / hf,
      unit: 'x',
      extra: { ids: 'identical' },
    });
  }
  for (const n of [512, 1024, 4096]) {
    rows.push({
      suite: 'ops',
      name: 'matmul',
      shape: `(${n},${n},${n})`,
      value: n * 12,
      unit: 'GFLOP/s',
      spread: 0.02,
    });
  }
  rows.push({ suite: 'ops', name: 'silu', shape: '(64M)', value: 3500, unit: 'GB/s', spread: 0.02 });
  rows.push({
    suite: 'ops',
    name: 'softplus <f32>',
    shape: '(64M)',
    value: 3400,
    unit: 'GB/s',
    spread: 0.02,
  });
  return rows;
}

/** A complete result of the current schema around `rows`. */
export function syntheticResult(rows: BenchRow[] = syntheticRows()): BenchResult {
  return {
    schema: RESULT_SCHEMA,
    meta: {
      date: '2026-11-28T12:00:00.000Z',
      gitCommit: '0123456789abcdef0123456789abcdef01234567',
      node: 'v20.20.2',
      platform: 'linux-x64',
      adapter: {
        vendor: 'nvidia',
        architecture: 'hopper',
        device: 'nvidia-h200',
        description: 'NVIDIA H200',
        isCpu: false,
        summary: 'nvidia / hopper / nvidia-h200 / NVIDIA H200; features: subgroups, timestampQuery',
      },
      limits: {
        maxStorageBufferBindingSize: 2 ** 31,
        maxComputeWorkgroupStorageSize: 49152,
        maxBufferSize: 2 ** 34,
      },
      features: ['subgroups', 'timestamp-query'],
      sizing: 'full',
      budgetSeconds: 90,
      argv: ['--json', 'out.json'],
      spread: SPREAD_MEANING[RESULT_SCHEMA],
      anchors: { matched: true, note: 'NVIDIA H200: the official CUDA stack' },
    },
    suites: ['ops', 'scan', 'tokenizer', 'model', 'train'].map((name) => ({
      name,
      ok: true,
      seconds: 12.5,
      rows: rows.filter((r) => r.suite === name).length,
    })),
    rows,
  };
}

/** Rows as a 2-core lavapipe run reports them (small sizing). */
export function cpuSyntheticRows(): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const [shape, copyMs, copyGbs] of [
    ['(1,64,512,16)', 0.129, 4.59],
    ['(2,128,1024,16)', 0.369, 12.1],
  ] as const) {
    rows.push({
      suite: 'scan',
      name: 'copy-vec4',
      shape,
      value: copyMs,
      unit: 'ms',
      extra: { 'GB/s': copyGbs },
    });
    for (const [name, gbs] of [
      ['scan/v1-sequential', 0.092],
      ['scan/v2-chunked', 0.169],
      ['scan/v3-subgroup-scan', 0.0834],
    ] as const) {
      rows.push({ suite: 'scan', name, shape, value: 6.4, unit: 'ms', spread: 0.1, extra: { 'GB/s': gbs } });
    }
  }
  const kernels = [
    'gemv-v1',
    'gemm-v1',
    'gemm-v2',
    'gemm-v2-splitk',
    'gemm-splitk-v1',
    'gemm-v3',
    'gemm-v3-rows',
  ];
  const shapes = [
    ['(128x256)@(512x256)^T', 'f32', 2],
    ['(1x256)@(4096x256)^T', 'f32', 0.02],
    ['(1x256)@(4096x256)^T', 'bf16', 0.03],
    ['(128x512)@(256x512)^T W transposed', 'f32', 3],
  ] as const;
  for (const [shape, dtype, gflops] of shapes) {
    kernels.forEach((kernel, k) => {
      rows.push({
        suite: 'ops',
        name: `matmul/${kernel} ${dtype}`,
        shape,
        value: gflops * (kernel === 'gemv-v1' ? 8 : 1 + k / 4),
        unit: 'GFLOP/s',
        spread: 0.1,
      });
    });
  }
  rows.push({ suite: 'ops', name: 'copy-vec4', shape: '16 MiB', value: 4.84, unit: 'GB/s', spread: 0.28 });
  for (const L of [64, 256]) {
    rows.push({
      suite: 'model',
      name: 'prefill',
      shape: `L=${L}`,
      value: 300 + L / 2,
      unit: 'tok/s',
      spread: 0.1,
    });
  }
  return rows;
}

/** A result of a CPU adapter (Mesa lavapipe) around `rows`: no anchors. */
export function cpuSyntheticResult(rows: BenchRow[] = cpuSyntheticRows()): BenchResult {
  const result = syntheticResult(rows);
  result.meta.adapter = {
    vendor: 'mesa',
    architecture: 'software',
    device: 'llvmpipe-llvm-15-0-6-256-bits-',
    description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)',
    isCpu: true,
    summary: 'mesa / software / llvmpipe (CPU); features: subgroups, timestampQuery',
  };
  result.meta.sizing = 'small';
  result.meta.anchors = {
    matched: false,
    note: 'not this adapter (they are the official CUDA stack on an NVIDIA H200)',
  };
  result.suites = result.suites.filter((s) => ['ops', 'scan', 'model'].includes(s.name));
  return result;
}
