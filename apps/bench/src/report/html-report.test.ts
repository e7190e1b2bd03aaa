import { describe, expect, it } from 'vitest';
import { syntheticResult } from '../testing/synthetic-result.js';
import { metricOf, naturalCompare, renderReport } from './html-report.js';
import { barChart, niceTicks, shortNumber } from './svg-chart.js';
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
    expect(svgs.length).toBe(7);
    for (const svg of svgs) expect(xmlProblem(svg)).toBeUndefined();
    expect(xmlProblem(html.slice(html.indexOf('<body>'), html.indexOf('</body>') + 7))).toBeUndefined();
  });

  it('has the scan, model, tokenizer and ops charts', () => {
    expect(chartTitles(html)).toEqual([
      'Selective scan (8,1536,2048,16): kernel versions, effective bandwidth',
      'Selective scan (1,768,512,16): kernel versions, effective bandwidth',
      'Model decode: tokens per second vs batch',
      'Model prefill: tokens per second vs sequence length',
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
    const tokenizer = svgElements(html)[4]!;
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
    expect(html.match(/<tr><td>(ops|scan|tokenizer|model)<\/td><td>/g)).toHaveLength(r.rows.length);
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
