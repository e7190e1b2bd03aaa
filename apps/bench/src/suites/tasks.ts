// The `tasks` suite: the Mamba paper's selection results trained from scratch — S6 and the LTI
// ablation on Selective Copying, S6 on Induction Heads — with held-out accuracy, steps, steps/s
// and wall time per run, beside the paper's figures. Full sizing: the paper's tasks within the
// suite budget (give `--budget 1500` for the 8-minute runs of `pnpm tasks:results`); small
// sizing (CPU adapters): short sequences and a few steps.

import {
  PAPER_RESULTS,
  type TaskExperimentResult,
  runTaskExperiment,
  taskExperiments,
} from '@mamba-webgpu/mamba-model';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

const percent = (x: number) => Number((100 * x).toFixed(1));

function rows(r: TaskExperimentResult): BenchRow[] {
  const common = {
    steps: r.steps,
    'steps/s': Number((r.steps / (r.trainMs / 1000)).toFixed(2)),
    'train s': Number((r.trainMs / 1000).toFixed(1)),
    'eval s': Number((r.evalMs / 1000).toFixed(1)),
    batch: r.batch,
    stopped: r.stoppedBy,
  };
  if (r.score) {
    const paper = r.selective
      ? PAPER_RESULTS.selectiveCopying.s6
      : PAPER_RESULTS.selectiveCopying.mambaWithS4;
    return [
      {
        suite: 'tasks',
        name: r.title,
        shape: `L=${r.seqLen}`,
        value: percent(r.score.tokenAccuracy),
        unit: '% tokens',
        extra: {
          ...common,
          '% sequences': percent(r.score.sequenceAccuracy),
          'paper %': percent(paper),
          rows: r.score.sequences,
        },
      },
    ];
  }
  return (r.lengths ?? []).map((l) => ({
    suite: 'tasks',
    name: r.title,
    shape: `eval L=2^${Math.log2(l.seqLen)} (trained ${r.seqLen})`,
    value: percent(l.accuracy),
    unit: '%',
    extra: {
      ...common,
      'paper %': percent(PAPER_RESULTS.inductionHeads.mamba),
      rows: l.sequences,
      'eval ms': Math.round(l.ms),
    },
  }));
}

export const tasksSuite: BenchSuite = {
  name: 'tasks',
  description:
    'Selective Copying (S6 vs LTI) and Induction Heads (S6, eval to 2^20): accuracy, steps, wall time',
  needsGpu: true,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const gpu = ctx.gpu!;
    const experiments = taskExperiments(ctx.sizing);
    const out: BenchRow[] = [];
    const share = ctx.timeBudgetMs / experiments.length;
    for (const [i, exp] of experiments.entries()) {
      ctx.progress(i, experiments.length, exp.title);
      // Training gets most of the run's share; the evaluation (up to 2^20 for Induction Heads) the rest.
      const budget = Math.min(exp.training.timeBudgetMs ?? Number.POSITIVE_INFINITY, share * 0.7);
      const result = await runTaskExperiment(gpu, exp, { timeBudgetMs: budget });
      out.push(...rows(result));
      await gpu.sync('bench/tasks');
    }
    ctx.progress(experiments.length, experiments.length, 'done');
    return out;
  },
};
