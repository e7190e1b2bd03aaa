import { describe, expect, it } from 'vitest';
import { cpuSyntheticResult, syntheticResult } from '../testing/synthetic-result.js';
import { LOG_AXIS_SPAN, logTicks, valueAxis } from './chart-scale.js';
import { metricOf, naturalCompare, renderReport } from './html-report.js';
import { barChart, niceTicks, shortNumber, textWidth } from './svg-chart.js';
import { svgElements, xmlProblem } from './well-formed.js';

function chartTitles(html: string): string[] {
  return svgElements(html).map((svg) => /<title>([^<]*)<\/title>/.exec(svg)?.[1] ?? '');
}

describe('svg chart', () => {
  it('picks round ticks that cover the maximum', () => {
    expect(niceTicks(4100)).toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    expect(niceTicks(0.9)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(shortNumber(4100)).toBe('4100');
    expect(shortNumber(41000)).toBe('41k');
    expect(shortNumber(0.125)).toBe('0.125');
  });

  it('draws a bar per value, axes labels, a legend and reference lines', () => {
    const svg = barChart({
      title: 'T <&>',
      xLabel: 'kernel',
      yLabel: 'GB/s',
      categories: ['v1', 'v2', 'v3'],
      series: [
        { name: 'small', values: [1, 2, undefined] },
        { name: 'large', values: [3, 4, 5] },
      ],
      referenceLines: [{ value: 10, label: 'copy ceiling' }],
    });
    expect(xmlProblem(svg)).toBeUndefined();
    expect(svg.match(/class="bar"/g)).toHaveLength(5);
    expect(svg).toContain('T &lt;&amp;&gt;');
    expect(svg).toContain('>kernel</text>');
    expect(svg).toContain('>GB/s</text>');
    expect(svg).toContain('>small</text>');
    expect(svg).toContain('class="reference"');
    expect(svg).toContain('copy ceiling: 10');
  });
});

describe('value axis', () => {
  it('puts 2 and 5 between decades when few, only decades when many', () => {
    expect(logTicks(0.15, 4.59)).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
    expect(logTicks(0.0834, 4.59)).toEqual([0.01, 0.1, 1, 10]);
    expect(logTicks(0.008, 30)).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
    expect(logTicks(3, 3)).toEqual([1, 2, 5, 10]);
  });

  it('goes log where the values span decades, linear otherwise', () => {
    expect(valueAxis([1, 2, 3]).log).toBe(false);
    expect(valueAxis([0.1, 0.1 * LOG_AXIS_SPAN]).log).toBe(true);
    expect(valueAxis([0, 5]).log).toBe(false);
    expect(valueAxis([1, 2], 'log').log).toBe(true);
    expect(valueAxis([0.01, 100], 'linear').log).toBe(false);
    const axis = valueAxis([0.0834, 4.59]);
    expect(axis.fraction(0.01)).toBe(0);
    expect(axis.fraction(10)).toBe(1);
    expect(axis.fraction(0.1)).toBeCloseTo(1 / 3);
    expect(axis.fraction(0)).toBe(0);
  });

  it('draws a bar of 0.08 beside a ceiling of 4.6 taller than a few pixels', () => {
    const svg = barChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'GB/s',
      categories: ['v1'],
      series: [{ name: 's', values: [0.0834] }],
      referenceLines: [{ value: 4.59, label: 'copy ceiling' }],
    });
    expect(svg).toContain('>GB/s (log scale)</text>');
    const height = Number(/class="bar"[^>]* height="([\d.]+)"/.exec(svg)?.[1]);
    expect(height).toBeGreaterThan(50);
  });
});

describe('chart layout', () => {
  const many = Array.from({ length: 14 }, (_, i) => `matmul/gemm-v${i}-splitk bf16`);
  const svg = barChart({
    title: 'Ops: matmul throughput',
    xLabel: 'shape',
    yLabel: 'GFLOP/s',
    categories: ['(128x512)@(256x512)^T W transposed', '(1x256)@(4096x256)^T', '(2048x768)@(1536x768)^T'],
    series: many.map((name, i) => ({ name, values: [i + 1, i + 2, i + 3] })),
  });
  const width = Number(/width="(\d+)"/.exec(svg)![1]);

  it('wraps the legend into rows that fit the width', () => {
    const items = [...svg.matchAll(/<text class="legend" x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)</g)];
    expect(items).toHaveLength(14);
    expect(new Set(items.map((m) => m[2])).size).toBeGreaterThan(1);
    for (const [, x, , name] of items) expect(Number(x) + textWidth(name!, 11)).toBeLessThanOrEqual(width);
  });

  it('rotates long category labels and leaves room for them on the left and below', () => {
    const labels = [...svg.matchAll(/<text class="category" x="([\d.]+)" y="([\d.]+)"[^>]*rotate\(-35/g)];
    expect(labels).toHaveLength(3);
    const firstX = Number(labels[0]![1]);
    const reach = Math.cos((35 * Math.PI) / 180) * textWidth('(128x512)@(256x512)^T W transposed', 11);
    expect(firstX - reach).toBeGreaterThanOrEqual(0);
    const height = Number(/height="(\d+)"/.exec(svg)![1]);
    const drop = Math.sin((35 * Math.PI) / 180) * textWidth('(128x512)@(256x512)^T W transposed', 11);
    expect(Number(labels[0]![2]) + drop).toBeLessThan(height - 20);
  });

  it('draws reference series as grey dashed bars', () => {
    const chart = barChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'tok/s',
      categories: ['a', 'b'],
      series: [
        { name: 'mamba-webgpu', values: [2, 3] },
        { name: 'official: mamba_ssm', values: [1, undefined], reference: true },
      ],
    });
    expect(chart.match(/class="bar reference-bar"/g)).toHaveLength(1);
    expect(chart).toContain('stroke-dasharray="3 2"');
    expect(chart).toContain('>official: mamba_ssm</text>');
  });
});

describe('renderReport', () => {
  const html = renderReport(syntheticResult());

  it('is one self-contained page: no scripts, no links, no URLs but the SVG namespace', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    const urls = html.match(/\b(https?:)?\/\/[^\s"'<>)]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });

  it('draws every chart as well-formed SVG', () => {
    const svgs = svgElements(html);
    expect(svgs.length).toBe(9);
    for (const svg of svgs) expect(xmlProblem(svg)).toBeUndefined();
    expect(xmlProblem(html.slice(html.indexOf('<body>'), html.indexOf('</body>') + 7))).toBeUndefined();
  });

  it('has the scan, model, train, tokenizer and ops charts', () => {
    expect(chartTitles(html)).toEqual([
      'Selective scan (8,1536,2048,16): kernel versions, effective bandwidth',
      'Selective scan (1,768,512,16): kernel versions, effective bandwidth',
      'Model decode: tokens per second vs batch',
      'Model prefill: tokens per second vs sequence length',
      'Training step: tokens per second',
      'Scan forward and backward (8,1536,2048,16): ms (lower is better)',
      'Tokenizer throughput: ours vs @huggingface/tokenizers',
      'Ops: matmul throughput',
      'Ops: memory-bound kernels, effective bandwidth',
    ]);
  });

  it('draws the copy ceiling over the scan versions, without a copy bar', () => {
    const scan = svgElements(html)[0]!;
    expect(scan).toContain('class="reference"');
    expect(scan).toContain('copy ceiling (256 MB): 4100');
    expect(scan).not.toMatch(/<title>copy\/vec4 @/);
    expect(scan.match(/class="bar"/g)).toHaveLength(3);
  });

  it("takes each scan shape's ceiling from the copy row of that shape, in ms rows with a GB/s extra", () => {
    const shape = '(2,64,128,16)';
    const rows = [
      { suite: 'scan', name: 'copy-vec4', shape, value: 0.01, unit: 'ms', extra: { 'GB/s': 900 } },
      { suite: 'scan', name: 'scan/v1', shape, value: 0.2, unit: 'ms', extra: { 'GB/s': 45 } },
      {
        suite: 'ops',
        name: 'matmul/tiled f32',
        shape: '(8x8)',
        value: 5,
        unit: 'GFLOP/s',
        extra: { 'GB/s': 3 },
      },
    ];
    const svgs = svgElements(renderReport(syntheticResult(rows)));
    expect(svgs).toHaveLength(2);
    expect(svgs[0]).toContain('copy ceiling: 900');
    expect(svgs[1]).toContain('Ops: matmul throughput');
  });

  it('orders model shapes by their numbers', () => {
    const decode = svgElements(html)[2]!;
    const labels = [...decode.matchAll(/>(batch=\d+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(['batch=1', 'batch=2', 'batch=4', 'batch=8', 'batch=16']);
  });

  it('shows ours and @huggingface/tokenizers side by side per operation', () => {
    const tokenizer = svgElements(html)[6]!;
    expect(tokenizer).toContain('>ours</text>');
    expect(tokenizer).toContain('>hf-tokenizers</text>');
    expect(tokenizer).toContain('>encode</text>');
    expect(tokenizer).toContain('>decode</text>');
    expect(tokenizer).toContain('operation (gpt-neox-20b, 180 docs, 512 KB)');
    expect(tokenizer.match(/class="bar"/g)).toHaveLength(4);
  });

  it('groups tokenizer rows by input when names have no operation prefix', () => {
    const rows = [
      { suite: 'tokenizer', name: 'ours', shape: 'wiki', value: 2, unit: 'MB/s' },
      { suite: 'tokenizer', name: 'hf', shape: 'wiki', value: 1, unit: 'MB/s' },
      { suite: 'tokenizer', name: 'ours', shape: 'code', value: 3, unit: 'MB/s' },
    ];
    const chart = svgElements(renderReport(syntheticResult(rows)))[0]!;
    expect(chart).toContain('>wiki</text>');
    expect(chart).toContain('>code</text>');
    expect(chart.match(/class="bar"/g)).toHaveLength(3);
  });

  it('has the meta header, the suites and a table row per figure', () => {
    const r = syntheticResult();
    expect(html).toContain('0123456789abcdef0123456789abcdef01234567');
    expect(html).toContain('NVIDIA H200');
    expect(html).toContain('maxStorageBufferBindingSize</th><td class="num">2 GiB (2147483648)');
    expect(html.match(/<tr><td>(ops|scan|tokenizer|model|train)<\/td><td>/g)).toHaveLength(r.rows.length);
    expect(html).toContain('softplus &lt;f32&gt;');
  });

  it('degrades to notes when suites are absent or failed', () => {
    const empty = syntheticResult([]);
    empty.suites = [
      { name: 'scan', ok: false, error: 'GpuValidationError: scan: <boom>', seconds: 1, rows: 0 },
    ];
    empty.meta.adapter = null;
    const page = renderReport(empty);
    expect(svgElements(page)).toHaveLength(0);
    expect(page).toContain('No scan rows in GB/s');
    expect(page).toContain('No model rows');
    expect(page).toContain('No tokenizer rows');
    expect(page).toContain('No ops rows');
    expect(page).toContain('GpuValidationError: scan: &lt;boom&gt;');
    expect(page).toContain('none (only CPU suites ran)');
  });
});

describe('renderReport with anchors', () => {
  const html = renderReport(syntheticResult());

  it('draws the official figures as reference bars beside the model and train rows', () => {
    const svgs = svgElements(html);
    const prefill = svgs.find((s) => s.includes('Model prefill'))!;
    expect(prefill.match(/class="bar reference-bar"/g)).toHaveLength(3);
    expect(prefill).toContain('>official: mamba_ssm generate, 1 token</text>');
    const step = svgs.find((s) => s.includes('Training step'))!;
    expect(step.match(/class="bar reference-bar"/g)).toHaveLength(1);
    const scan = svgs.find((s) => s.includes('Scan forward and backward'))!;
    expect(scan).toContain('>official: mamba_ssm selective_scan_cuda</text>');
  });

  it('has the anchors line, the official and ratio columns and the outliers', () => {
    expect(html).toContain('Anchors: NVIDIA H200: the official CUDA stack');
    expect(html).toContain('<th>official</th><th>vs official</th>');
    expect(html).toContain('<td class="num">45225</td><td class="num">0.49x</td>');
    expect(html).toContain('<th>outliers</th>');
    expect(html).toContain('spread is the median absolute deviation / median');
  });

  it('draws the official scan kernel as a GB/s line over the same bytes', () => {
    const shape = '(8,1536,2048,16)';
    const official = { value: 0.873, ratio: 1.2, source: 'mamba_ssm selective_scan_fwd' };
    const rows = [
      { suite: 'scan', name: 'copy-vec4', shape, value: 0.115, unit: 'ms', extra: { 'GB/s': 3496 } },
      {
        suite: 'scan',
        name: 'scan/v2-chunked',
        shape,
        value: 0.719,
        unit: 'ms',
        extra: { 'GB/s': 563 },
        official,
      },
    ];
    const scan = svgElements(renderReport(syntheticResult(rows)))[0]!;
    // 563 GB/s x 0.719 ms / 0.873 ms = 463.7 GB/s.
    expect(scan).toContain('official mamba_ssm selective_scan_fwd: 464');
  });

  it('draws CPU figures below 1 on a log axis, with no reference bars', () => {
    const page = renderReport(cpuSyntheticResult());
    const svgs = svgElements(page);
    expect(svgs[0]).toContain('Selective scan (1,64,512,16)');
    expect(svgs[0]).toContain('GB/s (log scale)');
    const heights = [...svgs[0]!.matchAll(/class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.min(...heights)).toBeGreaterThan(30);
    expect(page).not.toContain('reference-bar');
    expect(page).toContain('Anchors: not this adapter');
    expect(page).not.toContain('<th>official</th>');
  });
});

describe('report helpers', () => {
  it('catches malformed markup (the checker the SVG tests rely on)', () => {
    expect(xmlProblem('<svg><g></svg>')).toMatch('</svg> closes <g>');
    expect(xmlProblem('<svg><rect x=1/></svg>')).toMatch('stray "<"');
    expect(xmlProblem('<text>a & b</text>')).toMatch('bare "&"');
    expect(xmlProblem('<svg><g>')).toBe('unclosed <svg> <g>');
    expect(xmlProblem('<svg><rect x="1"/><text>a &amp; b</text></svg>')).toBeUndefined();
  });

  it('reads a figure from the unit or from a same-named extra', () => {
    const row = {
      suite: 'scan',
      name: 'v1',
      shape: 's',
      value: 2.9,
      unit: 'ms',
      spread: 0.1,
      extra: { 'GB/s': 140 },
    };
    expect(metricOf(row, 'gb/s')).toEqual({ value: 140, spread: 0.1 });
    expect(metricOf(row, 'ms')).toEqual({ value: 2.9, spread: 0.1 });
    expect(metricOf(row, 'tok/s')).toBeUndefined();
  });

  it('sorts shapes naturally', () => {
    expect(['L=1024', 'L=128', 'L=2048'].sort(naturalCompare)).toEqual(['L=128', 'L=1024', 'L=2048']);
  });
});
