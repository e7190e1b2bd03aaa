// A synthetic bench result with rows of every suite, shaped the way the suites report them, for
// the report, JSON and compare tests (the numbers are invented, of H200 magnitude).
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
    });
  }
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
    suites: ['ops', 'scan', 'tokenizer', 'model'].map((name) => ({
      name,
      ok: true,
      seconds: 12.5,
      rows: rows.filter((r) => r.suite === name).length,
    })),
    rows,
  };
}
