// docs/results.md and its SVG charts from the task runs' JSON records (one file per run, written
// by `pnpm tasks:results` on the GPU): the paper's two tables with our figures beside them, the
// training curves, and Induction Heads accuracy against length on a log axis.

import {
  PAPER_RESULTS,
  type TaskExperimentResult,
  type TaskSizing,
  lineChartSvg,
} from '@mamba-webgpu/mamba-model';

/** One run as saved: its result and where and when it ran. */
export interface TaskRunRecord {
  schema: 1;
  result: TaskExperimentResult;
  /** The adapter (`GpuContext.describe()`). */
  gpu: string;
  commit: string;
  date: string;
  sizing: TaskSizing;
}

/** The file a run's record is saved under: its id, plus the length when not the paper's. */
export function recordFileName(result: TaskExperimentResult): string {
  const paperLength = result.id.startsWith('selective-copying') ? 4096 : 256;
  return `${result.id}${result.seqLen === paperLength ? '' : `-L${result.seqLen}`}.json`;
}

/** Checks a parsed record; throws naming `file`. */
export function parseTaskRunRecord(data: unknown, file: string): TaskRunRecord {
  const r = data as Partial<TaskRunRecord> | null;
  if (r?.schema !== 1 || typeof r.result?.id !== 'string' || !Array.isArray(r.result.curve)) {
    throw new Error(
      `parseTaskRunRecord: ${file} is not a task run record (schema 1 with result.id and result.curve)`,
    );
  }
  return r as TaskRunRecord;
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/** Chart file names, in the order the page shows them. */
export const CHART_FILES = {
  copyingLoss: 'selective-copying-loss.svg',
  copyingAccuracy: 'selective-copying-accuracy.svg',
  inductionCurve: 'induction-heads-training.svg',
  inductionLengths: 'induction-heads-lengths.svg',
} as const;

/** The loss curve as at most ~400 points: means over consecutive windows of steps (smoothed). */
function thin(curve: TaskExperimentResult['curve']): [number, number][] {
  const every = Math.max(1, Math.ceil(curve.length / 400));
  const out: [number, number][] = [];
  for (let i = 0; i < curve.length; i += every) {
    const window = curve.slice(i, i + every);
    out.push([window.at(-1)!.step, window.reduce((s, p) => s + p.loss, 0) / window.length]);
  }
  return out;
}

const accuracyPoints = (curve: TaskExperimentResult['curve']): [number, number][] =>
  curve.flatMap((p) => (p.accuracy === undefined ? [] : [[p.step, p.accuracy] as [number, number]]));

const label = (r: TaskExperimentResult) => `${r.selective ? 'S6' : 'LTI'} L=${r.seqLen}`;

/** The SVG charts of the records present: file name -> SVG. */
export function taskResultCharts(records: readonly TaskRunRecord[]): Map<string, string> {
  const charts = new Map<string, string>();
  const copying = records.filter((r) => r.result.id.startsWith('selective-copying')).map((r) => r.result);
  if (copying.length > 0) {
    charts.set(
      CHART_FILES.copyingLoss,
      lineChartSvg({
        title: 'Selective Copying: training loss (answer positions, window means)',
        xLabel: 'step',
        yLabel: 'cross-entropy',
        series: copying.map((r) => ({ name: label(r), points: thin(r.curve) })),
      }),
    );
    charts.set(
      CHART_FILES.copyingAccuracy,
      lineChartSvg({
        title: 'Selective Copying: validation accuracy (answer tokens)',
        xLabel: 'step',
        yLabel: 'accuracy',
        percent: true,
        yRange: [0, 1],
        series: copying.map((r) => ({ name: label(r), points: accuracyPoints(r.curve) })),
        lines: [
          { y: PAPER_RESULTS.selectiveCopying.s6, label: 'paper S6 99.8%' },
          { y: PAPER_RESULTS.selectiveCopying.mambaWithS4, label: 'paper Mamba+S4 56.4%' },
          { y: PAPER_RESULTS.selectiveCopying.s4, label: 'paper S4 18.3%' },
        ],
      }),
    );
  }
  const induction = records.find((r) => r.result.id === 'induction-heads-s6')?.result;
  if (induction) {
    charts.set(
      CHART_FILES.inductionCurve,
      lineChartSvg({
        title: `Induction Heads: training at L=${induction.seqLen}`,
        xLabel: 'step',
        yLabel: 'loss / accuracy',
        series: [
          { name: 'loss (last token, window means)', points: thin(induction.curve) },
          { name: 'validation accuracy', points: accuracyPoints(induction.curve) },
        ],
      }),
    );
    if (induction.lengths?.length) {
      const lengths = induction.lengths.map((l) => l.seqLen);
      charts.set(
        CHART_FILES.inductionLengths,
        lineChartSvg({
          title: `Induction Heads: accuracy vs length (trained at ${induction.seqLen})`,
          xLabel: 'evaluation length',
          yLabel: 'accuracy',
          xScale: 'log2',
          percent: true,
          yRange: [0, 1],
          series: [
            { name: 'ours (S6)', points: induction.lengths.map((l) => [l.seqLen, l.accuracy]) },
            {
              name: 'paper (Mamba)',
              dashed: true,
              points: lengths.map((n) => [n, PAPER_RESULTS.inductionHeads.mamba]),
            },
          ],
          lines: [{ y: 1 / (induction.vocabSize - 1), label: `chance 1/${induction.vocabSize - 1}` }],
        }),
      );
    }
  }
  return charts;
}

function copyingTable(records: readonly TaskRunRecord[]): string[] {
  const rows = records.filter((r) => r.result.id.startsWith('selective-copying') && r.result.score);
  if (rows.length === 0) return ['No Selective Copying run recorded yet.'];
  const paper = PAPER_RESULTS.selectiveCopying;
  const lines = [
    '| model | layer | L | accuracy (tokens) | accuracy (whole sequences) | paper | steps | batch | lr | training time | stopped by |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const s6 = rows.filter((x) => x.result.selective).map((x) => x.result);
  const at4096 = s6.find((r) => r.seqLen === 4096);
  const converged = s6.filter((r) => r.score!.tokenAccuracy >= 0.97).map((r) => r.seqLen);
  const note =
    at4096 && at4096.score!.tokenAccuracy < 0.97
      ? [
          '',
          `S6 did not reach the 97% target at L = 4096 within its budget (${pct(at4096.score!.tokenAccuracy)}); ${converged.length ? `the longest L that did: ${Math.max(...converged)}` : 'no shorter run recorded yet'}.`,
        ]
      : [];
  for (const { result: r } of rows) {
    const paperCell = r.selective
      ? pct(paper.s6)
      : `${pct(paper.mambaWithS4)} (Mamba + S4); ${pct(paper.s4)} (S4, no gate)`;
    lines.push(
      `| Mamba | ${r.selective ? 'S6 (selective)' : 'LTI ablation (S4-like)'} | ${r.seqLen} | **${pct(r.score!.tokenAccuracy)}** | ${pct(r.score!.sequenceAccuracy)} | ${paperCell} | ${r.steps} | ${r.batch} | ${r.lr} | ${minutes(r.trainMs)} | ${r.stoppedBy} |`,
    );
  }
  return [...lines, ...note];
}

function inductionTable(records: readonly TaskRunRecord[]): string[] {
  const r = records.find((x) => x.result.id === 'induction-heads-s6')?.result;
  if (!r?.lengths) return ['No Induction Heads run recorded yet.'];
  return [
    `Trained at L = ${r.seqLen} for ${r.steps} steps (batch ${r.batch}, Adam lr ${r.lr}, no weight decay; ${minutes(r.trainMs)}, stopped by ${r.stoppedBy}); ${r.lengths[0]?.sequences ?? 0} held-out sequences per length.`,
    '',
    '| evaluation length | ours (S6) | paper (Mamba) | eval time |',
    '| ---: | ---: | ---: | ---: |',
    ...r.lengths.map(
      (l) =>
        `| 2^${Math.log2(l.seqLen)} = ${l.seqLen.toLocaleString('en-US')} | **${pct(l.accuracy)}** | ${pct(PAPER_RESULTS.inductionHeads.mamba)} | ${seconds(l.ms)} |`,
    ),
  ];
}

/** The whole results page (charts referenced from `chartDir`, relative to the page). */
export function taskResultsMarkdown(records: readonly TaskRunRecord[], chartDir: string): string {
  const charts = taskResultCharts(records);
  const chart = (file: string, alt: string) =>
    charts.has(file) ? [`![${alt}](${chartDir}/${file})`, ''] : [];
  const sizes = new Set(records.map((r) => r.sizing));
  const status =
    records.length === 0
      ? ['**No run recorded yet**: the H200 runs of this commit are pending (see the end of this page).', '']
      : sizes.has('small')
        ? ["**Small sizing** (a CPU adapter): a smoke run of the pipeline, not the paper's sizes.", '']
        : [];
  const provenance = records.map(
    (r) =>
      `| ${r.result.title}, L=${r.result.seqLen} | \`${r.commit.slice(0, 12)}\` | ${r.gpu} | ${r.date} | ${r.sizing} | ${minutes(r.result.trainMs + r.result.evalMs)} |`,
  );
  return [
    '# Selection results: Selective Copying and Induction Heads',
    '',
    "The Mamba paper's two synthetic tasks (§4.1), trained from scratch with this repository's own",
    'trainer on WebGPU (`packages/mamba-model/src/tasks`). Models: 2 layers, d_model 64 (expand 2,',
    'd_state 16), vocabulary 16; fresh rows from a seeded generator every step; accuracies on held-out',
    'rows of a seed training never draws. Produced by `pnpm tasks:results` (see the end of this page).',
    '',
    ...status,
    '## Selective Copying (paper Table 1)',
    '',
    'Accuracy = answer tokens right (16 per sequence) on 1000 held-out sequences; also the fraction of',
    'sequences with all 16 right. The LTI ablation is the same block with Δ (per channel, softplus of',
    'a learned bias), B and C (d_state vectors) learned parameters instead of functions of the input;',
    "the paper's closest row is the Mamba architecture with an S4 layer (56.4%); S4 without the gate",
    'got 18.3%. L counts every position: the context (16 data tokens among noise) and the 16 markers',
    "(the S4 repository's copying generator, which reproductions start from, puts L noise tokens before them).",
    '',
    ...copyingTable(records),
    '',
    ...chart(CHART_FILES.copyingAccuracy, 'Selective Copying validation accuracy'),
    ...chart(CHART_FILES.copyingLoss, 'Selective Copying training loss'),
    '## Induction Heads (paper Table 2)',
    '',
    ...inductionTable(records),
    '',
    ...chart(CHART_FILES.inductionLengths, 'Induction Heads accuracy vs length'),
    ...chart(CHART_FILES.inductionCurve, 'Induction Heads training curve'),
    '## Runs',
    '',
    '| run | commit | GPU | date | sizing | wall time (train + eval) |',
    '| --- | --- | --- | --- | --- | ---: |',
    ...(provenance.length ? provenance : ['| (none yet) | | | | | |']),
    '',
    '## How these were made',
    '',
    ...records.map((r) => `- ${r.result.title}, L=${r.result.seqLen}: ${r.result.hyperparameters}.`),
    '- Training: `trainTask` (the `Trainer`: tape forward, fused backward, clipping, AdamW), loss on the',
    '  answer positions only (IGNORE_INDEX targets elsewhere). Paper: 400k steps at batch 64 and',
    '  constant lr 1e-4 for Selective Copying; here each run has a budget of minutes, so the',
    '  learning rate is higher and Selective Copying stops early once the validation accuracy holds',
    '  (each record says what stopped it). Initialisation: `MambaParameters.random`, as `mamba_ssm`',
    '  initialises (records made before commit efc2603 used',
    '  normal(0, 0.02) linear weights, which started B and C too small).',
    '- Evaluation: Selective Copying through the training forward without gradients (the path both',
    '  blocks share); Induction Heads through the chunked inference forward (chunks continue from the',
    '  previous conv and ssm states), memory constant in the length, so 2^20 fits.',
    '- Reproduce: `pnpm tasks:results` on a GPU (one run: `--only selective-copying-s6`; re-render',
    '  this page from the JSON records in `docs/results/`: `pnpm tasks:results --report-only`). On the',
    "  lent H200 (each run under the device's 10-minute command limit): `pnpm tasks:results --bundle-only`",
    '  and `bash ../shared/gpu/pack.sh packages/tensor` here, then, carrying `.gpu` and',
    '  `apps/bench/.bench-out`, one command per run: `source .gpu/remote.sh && GIT_COMMIT=<sha> node',
    '  apps/bench/.bench-out/task-results.mjs --only <run> --results $OUT/results --page $OUT/results.md`;',
    '  copy the JSON records into `docs/results/` and re-render with `--report-only`.',
    '',
  ].join('\n');
}
