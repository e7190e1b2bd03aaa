// `pnpm tasks:results`: trains the paper's selection runs (Selective Copying S6 and LTI,
// Induction Heads S6) at full size on this machine's GPU, saves one JSON record per run, and
// writes docs/results.md with its SVG charts from every record present.
//
//   pnpm tasks:results [--only id,id] [--sizing full|small] [--seq-len N] [--budget SECONDS]
//                      [--lr LR] [--batch B] [--results DIR] [--page FILE] [--report-only]
//
// Runs: selective-copying-s6, selective-copying-lti, induction-heads-s6 (default: all). --seq-len
// overrides Selective Copying's L (4096), e.g. to find the longest L that converges in budget.
// --budget overrides each run's training wall-time budget, --lr and --batch its learning rate
// and rows per step (the record keeps what ran). Records and charts go to --results
// (default docs/results), the page to --page (default docs/results.md); --report-only
// re-renders the page from the records without a GPU. GIT_COMMIT, when set, names the commit
// (the GPU machine's copied checkout can report a stale HEAD).

import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  type TaskExperiment,
  type TaskExperimentId,
  type TaskSizing,
  runTaskExperiment,
  taskExperiments,
} from '@mamba-webgpu/mamba-model';
import { getGpuContext } from '@mamba-webgpu/tensor';
import {
  type TaskRunRecord,
  parseTaskRunRecord,
  recordFileName,
  taskResultCharts,
  taskResultsMarkdown,
} from '../src/report/task-results.js';
import { gitCommit } from '../src/result.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    sizing: { type: 'string' },
    'seq-len': { type: 'string' },
    budget: { type: 'string' },
    lr: { type: 'string' },
    batch: { type: 'string' },
    results: { type: 'string', default: 'docs/results' },
    page: { type: 'string', default: 'docs/results.md' },
    'report-only': { type: 'boolean', default: false },
  },
});
const root = resolve(dirname(new URL(import.meta.url).pathname), '../../..');
const cwd = process.env.INIT_CWD ?? root;
const resultsDir = resolve(cwd, values.results!);
const page = resolve(cwd, values.page!);

function fail(message: string): never {
  console.error(`tasks:results: ${message}`);
  process.exit(2);
}

async function train(): Promise<void> {
  const ctx = await getGpuContext();
  const sizing = (values.sizing ?? (ctx.adapter.isCpu ? 'small' : 'full')) as TaskSizing;
  if (sizing !== 'small' && sizing !== 'full') fail(`--sizing must be small or full, got ${sizing}`);
  let experiments: TaskExperiment[] = taskExperiments(sizing);
  const known = experiments.map((e) => e.id);
  const only = values.only?.split(',').map((s) => s.trim()) as TaskExperimentId[] | undefined;
  const unknown = only?.filter((id) => !known.includes(id));
  if (unknown?.length) fail(`unknown run ${unknown.join(', ')}; runs: ${known.join(', ')}`);
  if (only) experiments = experiments.filter((e) => only.includes(e.id));
  const seqLen = values['seq-len'] ? Number(values['seq-len']) : undefined;
  if (seqLen !== undefined && !(Number.isInteger(seqLen) && seqLen >= 32))
    fail(`--seq-len must be an integer >= 32, got ${values['seq-len']}`);
  const budget = values.budget ? Number(values.budget) * 1000 : undefined;
  if (budget !== undefined && !(budget > 0))
    fail(`--budget must be a positive number of seconds, got ${values.budget}`);
  const lr = values.lr ? Number(values.lr) : undefined;
  if (lr !== undefined && !(lr > 0 && lr < 1)) fail(`--lr must be a number in (0, 1), got ${values.lr}`);
  const batch = values.batch ? Number(values.batch) : undefined;
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1))
    fail(`--batch must be a positive integer, got ${values.batch}`);
  console.log(
    `adapter: ${ctx.describe()}\nsizing: ${sizing}; runs: ${experiments.map((e) => e.id).join(', ')}`,
  );
  mkdirSync(resultsDir, { recursive: true });
  for (const base of experiments) {
    const training = {
      ...base.training,
      ...(lr !== undefined ? { lr } : {}),
      ...(batch !== undefined ? { batch } : {}),
    };
    const exp =
      seqLen && base.id.startsWith('selective-copying')
        ? { ...base, training, task: base.task.withSeqLen(seqLen) }
        : { ...base, training };
    console.log(
      `\n${exp.title}, L=${exp.task.seqLen}: training (batch ${exp.training.batch}, lr ${exp.training.lr})`,
    );
    const t0 = performance.now();
    const result = await runTaskExperiment(ctx, exp, {
      ...(budget !== undefined ? { timeBudgetMs: budget } : {}),
      onStep: (r) => {
        if (r.score || r.step % 500 === 0) {
          const acc = r.score ? `  validation ${(100 * r.score.tokenAccuracy).toFixed(1)}%` : '';
          console.log(
            `  step ${r.step}  loss ${r.loss.toFixed(4)}  ${(r.elapsedMs / 1000).toFixed(0)} s${acc}`,
          );
        }
      },
      onLength: (l) =>
        console.log(`  L=${l.seqLen}: ${(100 * l.accuracy).toFixed(1)}% (${(l.ms / 1000).toFixed(1)} s)`),
    });
    if (result.score) {
      console.log(
        `  held-out: ${(100 * result.score.tokenAccuracy).toFixed(2)}% tokens, ${(100 * result.score.sequenceAccuracy).toFixed(2)}% sequences`,
      );
    }
    console.log(`  ${result.steps} steps, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const record: TaskRunRecord = {
      schema: 1,
      result,
      gpu: ctx.describe(),
      commit: gitCommit(root),
      date: new Date().toISOString(),
      sizing,
    };
    const file = join(resultsDir, recordFileName(result));
    writeFileSync(file, `${JSON.stringify(record)}\n`);
    console.log(`  wrote ${relative(cwd, file)}`);
  }
}

function render(): void {
  let files: string[] = [];
  try {
    files = readdirSync(resultsDir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    console.warn(
      `tasks:results: no folder ${relative(cwd, resultsDir)}: the page says no run is recorded yet`,
    );
  }
  const records = files.map((f) =>
    parseTaskRunRecord(JSON.parse(readFileSync(join(resultsDir, f), 'utf8')), f),
  );
  const charts = taskResultCharts(records);
  if (charts.size > 0) mkdirSync(resultsDir, { recursive: true });
  for (const [name, svg] of charts) writeFileSync(join(resultsDir, name), svg);
  mkdirSync(dirname(page), { recursive: true });
  writeFileSync(page, taskResultsMarkdown(records, relative(dirname(page), resultsDir)));
  console.log(
    `wrote ${relative(cwd, page)} from ${records.length} record(s) in ${relative(cwd, resultsDir)}`,
  );
}

if (!values['report-only']) await train();
render();
