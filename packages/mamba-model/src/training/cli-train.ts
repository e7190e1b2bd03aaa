// `mamba-webgpu train`: trains a checkpoint (folder or hub id) on a data file with AdamW on the
// GPU, showing a progress bar (loss, tokens/s, ETA) or one JSON line per step, and saves a
// Hugging Face checkpoint (+ optimizer state, metrics.jsonl, loss-chart.svg/.html) into --out.

import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GpuContext } from '@mamba-webgpu/tensor';
import {
  endpointFlag,
  integerFlag,
  listFlag,
  nonEmpty,
  numberFlag,
  parseFlags,
  pathFlag,
  usageError,
} from '../cli/flags.js';
import { folderStore } from '../loading/node-folder-store.js';
import { resolveCheckpoint } from '../loading/node-hub.js';
import { openCheckpoint } from '../loading/checkpoint.js';
import { createProgressBar } from '../loading/progress.js';
import { loadTokenizer } from '../model/tokenizer.js';
import { loadOptimizerState, saveCheckpoint } from './checkpoint/node-checkpoint.js';
import { type TokenDataset, batchAt, packTokens, parseIdsJson } from './data/dataset.js';
import { MambaParameters } from './model/parameters.js';
import { type MetricsPoint, lossChartHtml, lossChartSvg } from './report/loss-chart.js';
import { Trainer, type TrainerOptions } from './trainer.js';

export const TRAIN_HELP = `Usage: mamba-webgpu train --model <folder|hub-id> --data FILE --steps N --out DIR [options]

Data: a JSON file {"input_ids": [[...], ...]} (rows of equal length; each step trains on all rows
unless --batch-size says otherwise), or a text file, tokenized with the model's tokenizer and
packed into rows of --seq-len tokens.

Options:
  --lr              peak learning rate (default 1e-3)
  --betas           AdamW betas (default 0.9,0.95)
  --eps             AdamW eps (default 1e-8)
  --weight-decay    decoupled weight decay, not on A_log, D, biases, norms (default 0.1)
  --clip            clip the global gradient norm (default 1.0; 0 = off)
  --warmup          linear warmup steps (default 0)
  --schedule        constant | cosine (default constant)
  --batch-size      rows per step (default: every row)
  --seq-len         tokens per row when packing text (default 256)
  --shuffle         visit rows in a seeded random order
  --seed            data-order seed (default 0)
  --grad-accumulation  micro-batches per optimizer step (default 1)
  --checkpoint-layers  recompute layer activations in the backward (less memory)
  --save-dtype      f32 | f16 | bf16 (default f32)
  --resume          continue a run saved by this command: --model is its --out folder; the
                    optimizer state (optimizer.safetensors) and the step count are restored, and
                    --steps more steps are taken (same data order as one uninterrupted run)
  --json            one JSON line per step: {"step","loss","gradNorm","lr"}
  --endpoint, --cache-dir, --force   as for generate
`;

const COMMAND = 'mamba-webgpu train';

function fail(message: string, flag = 'argv'): never {
  usageError(COMMAND, flag, message);
}

const FLAGS = {
  model: { type: 'string', short: 'm' },
  data: { type: 'string' },
  steps: { type: 'string' },
  out: { type: 'string' },
  lr: { type: 'string' },
  betas: { type: 'string' },
  eps: { type: 'string' },
  'weight-decay': { type: 'string' },
  clip: { type: 'string' },
  warmup: { type: 'string' },
  schedule: { type: 'string' },
  'batch-size': { type: 'string' },
  'seq-len': { type: 'string' },
  shuffle: { type: 'boolean' },
  seed: { type: 'string' },
  'grad-accumulation': { type: 'string' },
  'checkpoint-layers': { type: 'boolean' },
  'save-dtype': { type: 'string' },
  resume: { type: 'boolean' },
  json: { type: 'boolean' },
  endpoint: { type: 'string' },
  'cache-dir': { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Throws unless `path` is an existing regular file (checked before any download). */
async function requireFile(flag: string, path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile())
    fail(`${flag} ${path} must be ${what}, ${info ? 'it is not a file' : 'it does not exist'}`, flag);
}

async function loadData(
  path: string,
  vocab: number,
  seqLen: number,
  tokenizerJson: string | undefined,
): Promise<TokenDataset> {
  const text = await readFile(path, 'utf8').catch((e: Error) =>
    fail(`cannot read --data ${path}: ${e.message}`),
  );
  if (path.endsWith('.json')) return parseIdsJson(text, vocab);
  if (!tokenizerJson)
    fail(`${path} is text but the model has no tokenizer.json; give pre-tokenized {"input_ids": ...} JSON`);
  const tokenizer = await loadTokenizer(tokenizerJson);
  if (text.trim().length === 0) fail(`${path} is empty`);
  return packTokens([tokenizer.encode(text)], seqLen);
}

async function writeAtomic(path: string, content: string): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, content);
  await rename(temp, path);
}

/** Runs the train command; returns the exit code. */
export async function trainCommand(argv: readonly string[], ctx: () => Promise<GpuContext>): Promise<number> {
  const values = parseFlags(COMMAND, argv, FLAGS);
  if (values.help) {
    process.stdout.write(TRAIN_HELP);
    return 0;
  }
  // Every flag is checked before any download or GPU work.
  const modelId = nonEmpty(COMMAND, 'model', values.model);
  const dataPath = nonEmpty(COMMAND, 'data', values.data);
  const outDir = pathFlag(COMMAND, 'out', values.out);
  if (!modelId) fail('--model is required (a folder or a hub id)', '--model');
  if (!dataPath) fail('--data is required (a .json of input_ids or a text file)', '--data');
  if (!outDir) fail('--out is required (the folder the trained checkpoint goes to)', '--out');
  if (values.steps === undefined) fail('--steps is required (an integer >= 1)', '--steps');
  const integer = (name: keyof typeof FLAGS, fallback: number, min: number) =>
    integerFlag(COMMAND, name, values[name] as string | undefined, fallback, {
      min,
      want: `an integer >= ${min}`,
    });
  const steps = integer('steps', 1, 1);
  const nonNegative = { min: 0, want: 'a number >= 0' };
  const betas = listFlag(COMMAND, 'betas', values.betas ?? '0.9,0.95', {
    integer: false,
    rule: { min: 0, max: 1, maxExclusive: true, want: 'a number in [0, 1)' },
  });
  if (betas.length !== 2) fail(`--betas must be two numbers in [0, 1), got "${values.betas}"`, '--betas');
  const schedule = values.schedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'cosine')
    fail(`--schedule must be constant or cosine, got "${schedule}"`, '--schedule');
  const saveDtype = values['save-dtype'] ?? 'f32';
  if (saveDtype !== 'f32' && saveDtype !== 'f16' && saveDtype !== 'bf16')
    fail(`--save-dtype must be f32, f16 or bf16, got "${saveDtype}"`, '--save-dtype');
  const k = integer('grad-accumulation', 1, 1);
  const options: TrainerOptions = {
    lr: numberFlag(COMMAND, 'lr', values.lr, 1e-3, nonNegative),
    betas: betas as [number, number],
    eps: numberFlag(COMMAND, 'eps', values.eps, 1e-8, { min: 0, minExclusive: true, want: 'a number > 0' }),
    weightDecay: numberFlag(COMMAND, 'weight-decay', values['weight-decay'], 0.1, nonNegative),
    clip: numberFlag(COMMAND, 'clip', values.clip, 1.0, nonNegative),
    warmupSteps: integer('warmup', 0, 0),
    schedule,
    totalSteps: steps,
    gradAccumulation: k,
    checkpointLayers: values['checkpoint-layers'] === true,
  };
  const seqLen = integer('seq-len', 256, 2);
  const seed = integerFlag(COMMAND, 'seed', values.seed, 0, { want: 'an integer' });
  const batchSizeFlag = values['batch-size'] === undefined ? undefined : integer('batch-size', 1, 1);
  const endpoint = endpointFlag(COMMAND, values.endpoint);
  const cacheDir = pathFlag(COMMAND, 'cache-dir', values['cache-dir']);
  await requireFile('--data', dataPath, 'a readable data file');
  const outInfo = await stat(outDir).catch(() => undefined);
  if (outInfo && !outInfo.isDirectory()) fail(`--out ${outDir} must be a folder, it is a file`, '--out');
  if (values.resume) {
    await requireFile(
      '--resume',
      join(modelId, 'optimizer.safetensors'),
      'the optimizer state of a folder saved by mamba-webgpu train (--model is that folder)',
    );
  }

  const folder = await resolveCheckpoint(modelId, {
    ...(endpoint ? { endpoint } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    force: values.force ?? false,
  });
  const checkpoint = await openCheckpoint(folderStore(folder));
  let params: MambaParameters | undefined;
  let trainer: Trainer | undefined;
  try {
    const config = checkpoint.config;
    const data = await loadData(dataPath, config.vocabSize, seqLen, await checkpoint.readTokenizerJson());
    const batchSize = batchSizeFlag ?? data.rows;
    if (batchSize > data.rows)
      fail(
        `--batch-size must be an integer in [1, ${data.rows}] (the rows of --data), got ${batchSize}`,
        '--batch-size',
      );
    const baseConfig = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const gpu = await ctx();
    if (!values.json)
      process.stderr.write(
        `adapter: ${gpu.describe()}\ndata: ${data.rows} rows of ${data.seqLen} tokens, batch ${batchSize} x ${k}\n`,
      );
    params = await MambaParameters.fromCheckpoint(gpu, checkpoint);
    const metrics: MetricsPoint[] = [];
    let state: Awaited<ReturnType<typeof loadOptimizerState>> | undefined;
    if (values.resume) {
      state = await loadOptimizerState(folder);
      const previous = await readFile(join(folder, 'metrics.jsonl'), 'utf8').catch(() => '');
      for (const line of previous.split('\n'))
        if (line.trim()) metrics.push(JSON.parse(line) as MetricsPoint);
    }
    // The schedule spans the whole run: the steps already taken plus these.
    trainer = new Trainer(params, { ...options, totalSteps: (state?.step ?? 0) + steps });
    if (state) trainer.optimizer.loadState(state);
    const first = trainer.stepCount;
    await mkdir(outDir, { recursive: true });
    const bar = values.json
      ? undefined
      : createProgressBar({ label: 'training', total: steps, units: { item: 'step' }, delayMs: 0 });
    const started = performance.now();
    let tokens = 0;
    for (let s = 0; s < steps; s++) {
      const micro = Array.from({ length: k }, (_, m) => ({
        ids: batchAt(data, (first + s) * k + m, { batchSize, seed, shuffle: values.shuffle === true }),
        batch: batchSize,
        seqLen: data.seqLen,
      }));
      const r = await trainer.step(micro);
      tokens += r.tokens;
      const point = { step: r.step, loss: r.loss, gradNorm: r.gradNorm, lr: r.lr };
      metrics.push(point);
      if (values.json) process.stdout.write(`${JSON.stringify(point)}\n`);
      else {
        const tps = tokens / ((performance.now() - started) / 1000);
        bar!.detail(`loss ${r.loss.toFixed(4)}  |g| ${r.gradNorm.toFixed(3)}  ${tps.toFixed(0)} tok/s`);
        bar!.update(s + 1);
      }
    }
    bar?.finish();
    await saveCheckpoint(outDir, config, params.tensors, {
      optimizer: trainer.optimizer,
      dtype: saveDtype,
      baseConfig,
    });
    await writeAtomic(join(outDir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m)).join('\n') + '\n');
    await writeAtomic(join(outDir, 'loss-chart.svg'), lossChartSvg(metrics, `${modelId}: training loss`));
    await writeAtomic(join(outDir, 'loss-chart.html'), lossChartHtml(metrics, `${modelId}: training loss`));
    if (!values.json)
      process.stderr.write(
        `saved ${outDir} (model.safetensors, config.json, optimizer.safetensors, metrics.jsonl, loss-chart.svg)\n`,
      );
    return 0;
  } finally {
    trainer?.dispose();
    params?.dispose();
    await checkpoint.close();
  }
}
