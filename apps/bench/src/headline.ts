// The README's headline table, generated from one bench result and the anchors
// (`pnpm bench:headline RESULT.json`): the scan at the three anchor shapes, mamba-130m prefill and
// decode, the training steps and the tokenizer, ours beside the official CUDA stack with the speed
// ratio. It replaces what lies between the headline markers, so the README never disagrees with
// the result in docs/benchmarks; figures the run lacks say "not in this run".
import { ANCHORS, ANCHORS_FILE, anchorsMatch, officialFor, officialTrainStep } from './anchors/official.js';
import { formatRatio } from './format.js';
import type { BenchResult } from './result.js';
import type { BenchRow } from './types.js';

export const HEADLINE_START = '<!-- headline:start -->';
export const HEADLINE_END = '<!-- headline:end -->';
export const NOT_IN_RUN = 'not in this run';

/** A headline that cannot be made: no markers, or a run not on the anchors' GPU. */
export class HeadlineError extends Error {
  override name = 'HeadlineError';
}

const SCAN_SHAPES = ['(8,1536,2048,16)', '(1,1536,2048,16)', '(8,1536,8192,16)'];
const PREFILL_LENGTHS = [256, 1024, 2048];
const DECODE_BATCHES = [1, 8, 64];
const TRAIN_STEPS = ['8x2048', '1x8192'];
const MAMBA_130M = 'mamba-130m (random, f32)';

/** One line of the table: measure, ours, official, vs official. */
type Line = [measure: string, ours: string, official: string, ratio: string];

/** `0.719 ms`, `3.70 ms`: 3 significant digits. */
function ms(value: number): string {
  return `${value.toPrecision(3)} ms`;
}

/** A rate with 3 significant digits, whole below 10k: `65.7`, `1070`, `5245`, `39.0k`. */
export function compact(value: number): string {
  if (Math.abs(value) >= 1e4) return `${(value / 1e3).toPrecision(3)}k`;
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return value.toPrecision(3);
}

/** Figures joined by ` / `, each `-` where missing; undefined when all are missing. */
function joined(values: (number | undefined)[], format: (v: number) => string): string | undefined {
  if (values.every((v) => v === undefined)) return undefined;
  return values.map((v) => (v === undefined ? '-' : format(v))).join(' / ');
}

const bold = (text: string | undefined) => (text === undefined ? NOT_IN_RUN : `**${text}**`);

function scanLines(rows: readonly BenchRow[]): Line[] {
  return SCAN_SHAPES.map((shape, i) => {
    const versions = rows.filter(
      (r) => r.suite === 'scan' && r.name.startsWith('scan/') && r.shape === shape,
    );
    const best = versions.reduce<BenchRow | undefined>(
      (a, b) => (a && a.value <= b.value ? a : b),
      undefined,
    );
    const official = officialFor({ suite: 'scan', name: 'scan/', shape, value: 0, unit: 'ms' })!.value;
    const dims = shape.replace(/,/g, ', ');
    return [
      i === 0 ? `selective scan, (batch, dInner, seqLen, dState) = ${dims}` : `selective scan, ${dims}`,
      best ? `**${ms(best.value)}** (${best.name.slice('scan/'.length)})` : NOT_IN_RUN,
      ms(official),
      best ? formatRatio(official / best.value) : '-',
    ];
  });
}

/** Ours, official and ratios of the model rows `name` at `shapes` (`L=256`...). */
function modelFigures(rows: readonly BenchRow[], name: string, shapes: string[]) {
  const ours = shapes.map(
    (shape) => rows.find((r) => r.suite === 'model' && r.name === name && r.shape === shape)?.value,
  );
  const official = shapes.map(
    (shape) =>
      officialFor({ suite: 'model', name, shape, value: 0, unit: 'tok/s', extra: { config: MAMBA_130M } })!
        .value,
  );
  const ratios = ours.map((v, i) => (v === undefined ? undefined : v / official[i]!));
  return { ours, official, ratios };
}

function modelLines(rows: readonly BenchRow[]): Line[] {
  const prefill = modelFigures(
    rows,
    'prefill',
    PREFILL_LENGTHS.map((L) => `L=${L}`),
  );
  const decode = modelFigures(
    rows,
    'decode',
    DECODE_BATCHES.map((b) => `batch=${b}`),
  );
  const noGraphs = DECODE_BATCHES.map((b) =>
    Math.max(...(ANCHORS.decode_tok_s.no_graphs as Record<string, number[]>)[String(b)]!),
  );
  const ratio = (values: (number | undefined)[]) => joined(values, formatRatio) ?? '-';
  return [
    [
      `mamba-130m prefill, L = ${PREFILL_LENGTHS.join(' / ')}`,
      prefill.ours.some((v) => v !== undefined) ? `${bold(joined(prefill.ours, compact))} tok/s` : NOT_IN_RUN,
      `${joined(prefill.official, compact)} (one token generated and read back, as ours)`,
      ratio(prefill.ratios),
    ],
    [
      `mamba-130m decode, batch ${DECODE_BATCHES.join(' / ')}`,
      decode.ours.some((v) => v !== undefined) ? `${bold(joined(decode.ours, compact))} tok/s` : NOT_IN_RUN,
      `${joined(decode.official, compact)} (CUDA graphs); ${joined(noGraphs, compact)} without`,
      `${ratio(decode.ratios)} (vs CUDA graphs)`,
    ],
  ];
}

function trainLines(rows: readonly BenchRow[]): Line[] {
  return TRAIN_STEPS.map((step, i) => {
    const row = rows.find(
      (r) => r.suite === 'train' && r.name.startsWith('training step') && r.shape === `mamba-130m ${step}`,
    );
    const official = officialTrainStep(step)!;
    const peak = row?.extra?.['peak GiB (live)'];
    const [batch, seqLen] = step.split('x');
    return [
      `mamba-130m training step, batch ${batch} x ${seqLen}${i === 0 ? ', f32 AdamW' : ''}`,
      row
        ? `**${compact(row.value)} tok/s**${typeof peak === 'number' ? `, peak ${peak.toFixed(1)} GiB` : ''}`
        : NOT_IN_RUN,
      `${compact(official.tok_s)} tok/s, peak ${official.peak_gib.toFixed(1)} GiB`,
      row ? formatRatio(row.value / official.tok_s) : '-',
    ];
  });
}

function tokenizerLine(rows: readonly BenchRow[]): Line {
  const of = (name: string) => rows.find((r) => r.suite === 'tokenizer' && r.name === name);
  const ours = of('encode/ours');
  const theirs = of('encode/hf-tokenizers');
  const mbs = (r: BenchRow) => `${r.value.toPrecision(3)} MB/s`;
  return [
    'tokenizer encode, GPT-NeoX-20B (CPU)',
    ours ? `**${mbs(ours)}**` : NOT_IN_RUN,
    theirs ? `\`@huggingface/tokenizers\`: ${mbs(theirs)} (same run)` : NOT_IN_RUN,
    ours && theirs ? `${formatRatio(ours.value / theirs.value)} (vs @huggingface/tokenizers)` : '-',
  ];
}

/**
 * The headline block (the lines between the markers) for `result`, read from `source` (the path
 * the block names). Throws HeadlineError when the run is not on the anchors' GPU.
 */
export function headlineBlock(result: BenchResult, source: string): string[] {
  const adapter = result.meta.adapter;
  if (!anchorsMatch(adapter)) {
    throw new HeadlineError(
      `headline: ${source} ran on ${adapter?.summary ?? 'no adapter'}, not on the anchors' GPU (NVIDIA H200)`,
    );
  }
  const lines: Line[] = [
    ...scanLines(result.rows),
    ...modelLines(result.rows),
    ...trainLines(result.rows),
    tokenizerLine(result.rows),
  ];
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const m = result.meta;
  return [
    `Generated by \`pnpm bench:headline ${source}\` from one run (commit \`${m.gitCommit.slice(0, 7)}\`, ${m.date.slice(0, 10)}, sizing ${m.sizing}) and [\`${ANCHORS_FILE}\`](${ANCHORS_FILE}) (the official figure is the better of its runs); vs official = ours / official as a speed, > 1: ours faster; \`-\`: not in this run.`,
    '',
    '| measure | mamba-webgpu (WGSL) | official CUDA stack (`mamba_ssm`) | vs official |',
    '| --- | ---: | ---: | ---: |',
    ...lines.map((line) => `| ${line.map(cell).join(' | ')} |`),
  ];
}

/** `readme` with the text between the headline markers replaced by `block`. Throws without markers. */
export function replaceHeadline(readme: string, block: readonly string[]): string {
  const start = readme.indexOf(HEADLINE_START);
  const end = readme.indexOf(HEADLINE_END);
  if (start < 0 || end < start) {
    throw new HeadlineError(
      `headline: the README needs ${HEADLINE_START} ... ${HEADLINE_END} around the table`,
    );
  }
  // Blank lines around the block: a Markdown table must not run into the closing marker.
  return `${readme.slice(0, start + HEADLINE_START.length)}\n\n${block.join('\n')}\n\n${readme.slice(end)}`;
}
