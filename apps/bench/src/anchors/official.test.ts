// The anchors: the bundled copy equals docs/benchmarks/anchors.json, the adapter match, the row
// lookup (checked against the official figures the train suite wrote into its H200 records
// before the anchors were one source) and the sense of the speed ratio.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResult } from '../result.js';
import type { BenchRow } from '../types.js';
import {
  ANCHORS,
  ANCHORS_FILE,
  anchorsMatch,
  anchorsStatus,
  attachAnchors,
  officialFor,
  speedRatio,
} from './official.js';

const repoFile = (path: string) => new URL(`../../../../${path}`, import.meta.url);
const record = (path: string) => parseResult(JSON.parse(readFileSync(repoFile(path), 'utf8')), path);

const h200 = { vendor: 'nvidia', device: 'nvidia-h200', description: 'NVIDIA: 580.159.04 580.159.4.0' };

describe('the anchors file', () => {
  it('is bundled byte for byte from docs/benchmarks/anchors.json', () => {
    const bundled = readFileSync(new URL('./h200-official.json', import.meta.url), 'utf8');
    expect(bundled, `copy ${ANCHORS_FILE} to apps/bench/src/anchors/h200-official.json`).toBe(
      readFileSync(repoFile(ANCHORS_FILE), 'utf8'),
    );
  });

  it('keeps its provenance', () => {
    expect(ANCHORS.about).toMatch(/official Mamba CUDA stack/);
    expect(ANCHORS.gpu).toMatch(/^NVIDIA H200/);
    expect(ANCHORS.official).toMatch(/state-spaces\/mamba/);
    expect(ANCHORS.scan_ms.how).toBeTruthy();
    expect(ANCHORS.training.train_step.how).toBeTruthy();
  });
});

describe('anchorsMatch', () => {
  it('matches the H200 as Dawn reports it, by device or description', () => {
    expect(anchorsMatch(h200)).toBe(true);
    expect(anchorsMatch({ vendor: 'NVIDIA', device: '', description: 'NVIDIA H200 NVL' })).toBe(true);
  });

  it('matches no other adapter', () => {
    expect(anchorsMatch({ vendor: 'nvidia', device: 'nvidia-h100', description: 'NVIDIA H100' })).toBe(false);
    expect(anchorsMatch({ vendor: 'mesa', device: 'llvmpipe', description: 'h200 in a name' })).toBe(false);
    expect(anchorsMatch(null)).toBe(false);
    expect(anchorsStatus(null).note).toMatch(/^not this adapter/);
  });
});

describe('officialFor', () => {
  const row = (suite: string, name: string, shape: string, unit: string, config?: string): BenchRow => ({
    suite,
    name,
    shape,
    value: 1,
    unit,
    ...(config ? { extra: { config } } : {}),
  });
  const mamba130m = 'mamba-130m (random, f32)';

  it('takes the better of the official runs for scan, prefill and decode rows', () => {
    expect(officialFor(row('scan', 'scan/v2-chunked', '(8,1536,2048,16)', 'ms'))).toEqual({
      value: 0.873,
      source: 'mamba_ssm selective_scan_fwd',
    });
    expect(officialFor(row('model', 'prefill', 'L=1024', 'tok/s', mamba130m))?.value).toBe(54455);
    expect(officialFor(row('model', 'decode', 'batch=64', 'tok/s', mamba130m))).toEqual({
      value: 39044,
      source: 'mamba_ssm generate, CUDA graphs',
    });
  });

  it('has none for the copy, small configs, other shapes or units', () => {
    expect(officialFor(row('scan', 'copy-vec4', '(8,1536,2048,16)', 'ms'))).toBeUndefined();
    expect(officialFor(row('scan', 'scan/v2-chunked', '(1,64,512,16)', 'ms'))).toBeUndefined();
    expect(officialFor(row('model', 'prefill', 'L=256', 'tok/s', 'small (d_model 128)'))).toBeUndefined();
    expect(officialFor(row('model', 'decode', 'batch=2', 'tok/s', mamba130m))).toBeUndefined();
    expect(officialFor(row('model', 'peak GPU memory', mamba130m, 'MiB'))).toBeUndefined();
    expect(officialFor(row('train', 'training step', 'small 2x128', 'tok/s'))).toBeUndefined();
  });

  it('gives the train rows of the H200 record the official figures that run printed beside them', () => {
    const train = record('docs/benchmarks/issue-11/train-863312f.json');
    expect(train.rows.length).toBeGreaterThan(0);
    for (const r of train.rows) {
      const printed = r.extra?.['official ms'] ?? r.extra?.['official tok/s'];
      expect(officialFor(r)?.value, `${r.name} ${r.shape}`).toBe(printed);
    }
  });

  it('covers every scan version and model row of the H200 scan and model record', () => {
    const run = record('docs/benchmarks/h200-model.json');
    const anchored = run.rows.filter((r) => officialFor(r)).map((r) => `${r.name} ${r.shape}`);
    expect(anchored).toHaveLength(9 + 6);
    expect(anchored).toContain('scan/v2-chunked (8,1536,8192,16)');
    expect(anchored).not.toContain('copy-vec4 (8,1536,8192,16)');
  });
});

describe('speed ratio and attachAnchors', () => {
  it('is > 1 when ours is faster, for times and for rates', () => {
    expect(speedRatio(0.5, 1, 'ms')).toBe(2);
    expect(speedRatio(2000, 1000, 'tok/s')).toBe(2);
    expect(speedRatio(500, 1000, 'tok/s')).toBe(0.5);
  });

  it('attaches figures on the H200 only, with the official peak memory on training steps', () => {
    const rows: BenchRow[] = [
      { suite: 'scan', name: 'scan/v2-chunked', shape: '(1,1536,2048,16)', value: 0.141, unit: 'ms' },
      {
        suite: 'train',
        name: 'training step (fwd + loss + bwd + clip + AdamW)',
        shape: 'mamba-130m 8x2048',
        value: 22210,
        unit: 'tok/s',
        extra: { 'peak GiB (live)': 18.39 },
      },
    ];
    const on = attachAnchors(rows, h200);
    expect(on.anchors.matched).toBe(true);
    expect(on.rows[0]!.official).toEqual({
      value: 0.123,
      ratio: 0.872,
      source: 'mamba_ssm selective_scan_fwd',
    });
    expect(on.rows[1]!.official?.ratio).toBe(0.491);
    expect(on.rows[1]!.extra).toEqual({ 'peak GiB (live)': 18.39, 'official peak GiB': 23.09 });
    const off = attachAnchors(rows, { vendor: 'mesa', device: 'llvmpipe', description: '' });
    expect(off.anchors.matched).toBe(false);
    expect(off.rows).toEqual(rows);
  });
});
