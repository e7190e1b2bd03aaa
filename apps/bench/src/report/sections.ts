// The report's sections, one per question the bench answers: selective scan (GB/s against the
// copy ceiling and the official kernel), model (tok/s), training (tok/s and scan ms), tokenizer
// (MB/s) and ops (GFLOP/s, GB/s); the official figures beside ours where the rows carry them.
import {
  type Point,
  copyCeilings,
  isCopy,
  naturalCompare,
  officialScanLine,
  oursAndOfficial,
  points,
  shapeKey,
  toSeries,
  unique,
} from './chart-data.js';
import type { BenchRow } from '../types.js';
import { barChart } from './svg-chart.js';

export interface Section {
  id: string;
  title: string;
  intro: string;
  charts: string[];
  /** Shown instead of charts when there is nothing to draw. */
  empty: string;
}

function scanSection(rows: readonly BenchRow[]): Section {
  const pts = points(rows, 'GB/s', (r) => r.suite === 'scan' && !isCopy(r));
  // One chart per problem shape, each against the copy of the same bytes on the same device.
  const charts = unique(pts.map((p) => p.shape)).map((shape) => {
    const mine = pts.filter((p) => p.shape === shape);
    const categories = unique(mine.map((p) => p.name));
    return barChart({
      title: `Selective scan ${shape}: kernel versions, effective bandwidth`,
      xLabel: 'kernel version',
      yLabel: 'GB/s',
      categories,
      series: toSeries(
        mine,
        categories,
        () => shape,
        (p) => p.name,
      ),
      referenceLines: [...copyCeilings(rows, 'scan', shape), ...officialScanLine(rows, shape)],
    });
  });
  return {
    id: 'scan',
    title: 'Selective scan',
    intro:
      "Bytes the scan must move divided by its time, per kernel version, one chart per shape (batch, dInner, seqLen, dState); the red dashed line is what a plain copy kernel reaches on the same device (the ceiling), the black one the official CUDA kernel on the same bytes (on the anchors' GPU).",
    charts,
    empty: 'No scan rows in GB/s in this result (suite not run, failed, or not written yet).',
  };
}

function modelSection(rows: readonly BenchRow[]): Section {
  const pts = points(rows, 'tok/s', (r) => r.suite === 'model');
  const charts = unique(pts.map((p) => p.name)).map((name) => {
    const mine = pts.filter((p) => p.name === name);
    const categories = unique(mine.map((p) => p.shape)).sort(naturalCompare);
    const key = shapeKey(categories);
    return barChart({
      title: `Model ${name}: tokens per second vs ${key === 'L' ? 'sequence length' : key}`,
      xLabel: key === 'L' ? 'sequence length L' : key,
      yLabel: 'tok/s',
      categories,
      series: oursAndOfficial(mine, categories, (p) => p.shape),
    });
  });
  return {
    id: 'model',
    title: 'Model',
    intro:
      "End-to-end tokens per second, one chart per measurement (decode against batch size, prefill against sequence length); grey dashed bars: the official CUDA stack on the anchors' GPU.",
    charts,
    empty: 'No model rows in tok/s in this result (suite not run, failed, or not written yet).',
  };
}

function tokenizerSection(rows: readonly BenchRow[]): Section {
  const pts = points(rows, 'MB/s', (r) => r.suite === 'tokenizer' && !/\/skipped$/.test(r.name));
  // Names like `encode/ours` and `encode/hf-tokenizers`: bars grouped by operation (and input),
  // one colour per implementation. Other names: grouped by input, one colour per name.
  const split = pts.every((p) => p.name.includes('/'));
  const manyShapes = unique(pts.map((p) => p.shape)).length > 1;
  const categoryOf = (p: Point) =>
    split
      ? manyShapes
        ? `${p.name.slice(0, p.name.indexOf('/'))} ${p.shape}`
        : p.name.slice(0, p.name.indexOf('/'))
      : p.shape;
  const seriesOf = (p: Point) => (split ? p.name.slice(p.name.indexOf('/') + 1) : p.name);
  const categories = unique(pts.map(categoryOf));
  const shapes = unique(pts.map((p) => p.shape));
  const charts = pts.length
    ? [
        barChart({
          title: 'Tokenizer throughput: ours vs @huggingface/tokenizers',
          xLabel: split && !manyShapes ? `operation (${shapes[0]})` : 'input',
          yLabel: 'MB/s',
          categories,
          series: toSeries(pts, categories, seriesOf, categoryOf),
        }),
      ]
    : [];
  return {
    id: 'tokenizer',
    title: 'Tokenizer',
    intro:
      'Megabytes of UTF-8 text encoded per second, both implementations measured side by side in the same run.',
    charts,
    empty: 'No tokenizer rows in MB/s in this result (suite not run, failed, or not written yet).',
  };
}

function trainSection(rows: readonly BenchRow[]): Section {
  const charts: string[] = [];
  const steps = points(rows, 'tok/s', (r) => r.suite === 'train');
  if (steps.length) {
    const categories = unique(steps.map((p) => p.shape));
    charts.push(
      barChart({
        title: 'Training step: tokens per second',
        xLabel: 'model, batch x seqLen',
        yLabel: 'tok/s',
        categories,
        series: oursAndOfficial(steps, categories, (p) => p.shape),
      }),
    );
  }
  const scans = points(rows, 'ms', (r) => r.suite === 'train' && r.unit === 'ms');
  for (const shape of unique(scans.map((p) => p.shape))) {
    const mine = scans.filter((p) => p.shape === shape);
    const categories = unique(mine.map((p) => p.name));
    charts.push(
      barChart({
        title: `Scan forward and backward ${shape}: ms (lower is better)`,
        xLabel: 'pass',
        yLabel: 'ms',
        categories,
        series: oursAndOfficial(mine, categories, (p) => p.name),
      }),
    );
  }
  return {
    id: 'train',
    title: 'Training',
    intro:
      "Whole training steps of a random-weight model (forward, loss, backward, clipping, AdamW) in tokens per second, and the selective scan's forward and backward in ms; grey dashed bars: the official CUDA stack on the anchors' GPU.",
    charts,
    empty: 'No train rows in this result (suite not run, failed, or not written yet).',
  };
}

function opsSection(rows: readonly BenchRow[]): Section {
  const charts: string[] = [];
  const flops = points(rows, 'GFLOP/s', (r) => r.suite === 'ops');
  if (flops.length) {
    const categories = unique(flops.map((p) => p.shape));
    charts.push(
      barChart({
        title: 'Ops: matmul throughput',
        xLabel: 'shape',
        yLabel: 'GFLOP/s',
        categories,
        series: toSeries(
          flops,
          categories,
          (p) => p.name,
          (p) => p.shape,
        ),
      }),
    );
  }
  // Only rows whose own unit is GB/s: matmul rows carry GB/s as an extra.
  const bandwidth = points(rows, 'GB/s', (r) => r.suite === 'ops' && !isCopy(r) && r.unit === 'GB/s');
  if (bandwidth.length) {
    const categories = unique(bandwidth.map((p) => p.name));
    charts.push(
      barChart({
        title: 'Ops: memory-bound kernels, effective bandwidth',
        xLabel: 'op',
        yLabel: 'GB/s',
        categories,
        series: toSeries(
          bandwidth,
          categories,
          (p) => p.shape,
          (p) => p.name,
        ),
        referenceLines: copyCeilings(rows, 'ops'),
      }),
    );
  }
  return {
    id: 'ops',
    title: 'Ops',
    intro: 'Core tensor ops: matmul in GFLOP/s, memory-bound ops in GB/s against the copy ceiling.',
    charts,
    empty: 'No ops rows in GFLOP/s or GB/s in this result (suite not run, failed, or not written yet).',
  };
}

/** Every section of the report, in page order. */
export function reportSections(rows: readonly BenchRow[]): Section[] {
  return [
    scanSection(rows),
    modelSection(rows),
    trainSection(rows),
    tokenizerSection(rows),
    opsSection(rows),
  ];
}
