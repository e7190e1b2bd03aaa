// `mamba-webgpu generate`: streams generated text (or ids) and ends with prefill and decode
// tokens/s. Every flag is parsed and checked (`parseGenerateFlags`, no I/O) before any download or
// GPU work; the sampling seed is drawn at random when not given and printed, so a run repeats.

import { randomInt } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { getGpuContext } from '@mamba-webgpu/tensor';
import { TOKENIZER_FILE } from '../loading/checkpoint.js';
import { resolveCheckpoint } from '../loading/node-hub.js';
import { loadModel } from '../model/load-node.js';
import { checkWeightDType } from '../model/weight-fit.js';
import type { WeightDType } from '../model/weights.js';
import { resolveSampling } from '../sampling/options.js';
import {
  endpointFlag,
  integerFlag,
  listFlag,
  nonEmpty,
  numberFlag,
  parseFlags,
  pathFlag,
  usageError,
} from './flags.js';

const COMMAND = 'mamba-webgpu generate';

export const GENERATE_HELP = `Usage: mamba-webgpu generate --model <folder|hub-id> (--prompt TEXT | --ids 1,2,3) [options]

Options:
  --model, -m         local checkpoint folder or Hugging Face id (e.g. state-spaces/mamba-130m-hf)
  --prompt, -p        prompt text (needs tokenizer.json beside the weights)
  --ids               prompt as comma-separated decimal token ids (exact input)
  --dtype             weight matrices as f32, f16, bf16, q8 or q4 (quantized at load; default as stored)
  --max-tokens, -n    new tokens to generate, an integer >= 1 (default 64)
  --temperature, -t   a number >= 0; 0 = greedy (default 0)
  --top-k             keep the k most likely tokens, an integer >= 0 (0 = off)
  --top-p             nucleus mass in (0, 1] (1 = off)
  --min-p             minimum probability relative to the top token, in [0, 1) (0 = off)
  --repetition-penalty  HF-style repetition penalty > 0 (1 = off)
  --seed              RNG seed, an integer in [0, 2^32) (default: random, printed on stderr)
  --no-eos            do not stop at the EOS token
  --json              print one JSON object (promptIds, ids, text, seed, stats) instead of streaming
  --endpoint          hub endpoint (default HF_ENDPOINT or https://huggingface.co)
  --cache-dir         download cache (default MAMBA_WEBGPU_CACHE or ~/.cache/mamba-webgpu)
  --force             download the hub files again even when they are cached
  --help, -h          this help
`;

const FLAGS = {
  model: { type: 'string', short: 'm' },
  prompt: { type: 'string', short: 'p' },
  ids: { type: 'string' },
  dtype: { type: 'string' },
  'max-tokens': { type: 'string', short: 'n' },
  temperature: { type: 'string', short: 't' },
  'top-k': { type: 'string' },
  'top-p': { type: 'string' },
  'min-p': { type: 'string' },
  'repetition-penalty': { type: 'string' },
  seed: { type: 'string' },
  'no-eos': { type: 'boolean' },
  json: { type: 'boolean' },
  endpoint: { type: 'string' },
  'cache-dir': { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What `generate` runs, every flag checked. */
export interface GenerateRun {
  readonly model: string;
  readonly prompt: { readonly text: string } | { readonly ids: readonly number[] };
  readonly dtype: WeightDType | undefined;
  readonly maxTokens: number;
  readonly sampling: {
    temperature: number;
    topK: number;
    topP: number;
    minP: number;
    repetitionPenalty: number;
    seed: number;
  };
  /** True when `--seed` was not given (the seed was drawn at random). */
  readonly randomSeed: boolean;
  readonly eos: boolean;
  readonly json: boolean;
  readonly endpoint: string | undefined;
  readonly cacheDir: string | undefined;
  readonly force: boolean;
}

/**
 * Parses and checks `generate`'s flags; `undefined` for `--help`. Pure apart from drawing a seed.
 * @throws InvalidArgumentError naming the flag (the CLI prints it and exits 2)
 */
export function parseGenerateFlags(
  argv: readonly string[],
  drawSeed: () => number = () => randomInt(2 ** 32),
): GenerateRun | undefined {
  const v = parseFlags(COMMAND, argv, FLAGS);
  if (v.help) return undefined;
  const model = nonEmpty(COMMAND, 'model', v.model);
  if (model === undefined) usageError(COMMAND, '--model', '--model is required (a folder or a hub id)');
  if ((v.prompt === undefined) === (v.ids === undefined))
    usageError(COMMAND, '--prompt', 'give exactly one of --prompt TEXT or --ids 1,2,3');
  if (v.prompt === '') usageError(COMMAND, '--prompt', '--prompt must not be empty');
  const prompt =
    v.ids !== undefined
      ? {
          ids: listFlag(COMMAND, 'ids', v.ids, {
            integer: true,
            rule: { min: 0, want: 'a decimal token id >= 0' },
          }),
        }
      : { text: v.prompt! };
  checkWeightDType(`${COMMAND} --dtype`, v.dtype);
  const seed = integerFlag(COMMAND, 'seed', v.seed, -1, {
    min: 0,
    max: 2 ** 32,
    maxExclusive: true,
    want: 'an integer in [0, 2^32)',
  });
  const sampling = {
    temperature: numberFlag(COMMAND, 'temperature', v.temperature, 0, { min: 0, want: 'a number >= 0' }),
    topK: integerFlag(COMMAND, 'top-k', v['top-k'], 0, { min: 0, want: 'an integer >= 0' }),
    topP: numberFlag(COMMAND, 'top-p', v['top-p'], 1, {
      min: 0,
      minExclusive: true,
      max: 1,
      want: 'a number in (0, 1]',
    }),
    minP: numberFlag(COMMAND, 'min-p', v['min-p'], 0, {
      min: 0,
      max: 1,
      maxExclusive: true,
      want: 'a number in [0, 1)',
    }),
    repetitionPenalty: numberFlag(COMMAND, 'repetition-penalty', v['repetition-penalty'], 1, {
      min: 0,
      minExclusive: true,
      want: 'a number > 0',
    }),
    seed: seed >= 0 ? seed : drawSeed(),
  };
  resolveSampling(COMMAND, sampling); // the library's own check agrees
  return {
    model,
    prompt,
    dtype: v.dtype as WeightDType | undefined,
    maxTokens: integerFlag(COMMAND, 'max-tokens', v['max-tokens'], 64, { min: 1, want: 'an integer >= 1' }),
    sampling,
    randomSeed: seed < 0,
    eos: v['no-eos'] !== true,
    json: v.json === true,
    endpoint: endpointFlag(COMMAND, v.endpoint),
    cacheDir: pathFlag(COMMAND, 'cache-dir', v['cache-dir']),
    force: v.force === true,
  };
}

/** Output of a run: where text goes, and the signal that ends generation when stdout closes. */
export interface GenerateIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly signal: AbortSignal;
}

/** Runs `generate` with checked flags; resolves with the exit code. */
export async function generateCommand(argv: readonly string[], io: GenerateIo): Promise<number> {
  const run = parseGenerateFlags(argv);
  if (run === undefined) {
    io.out(GENERATE_HELP);
    return 0;
  }
  const hub = {
    ...(run.endpoint ? { endpoint: run.endpoint } : {}),
    ...(run.cacheDir ? { cacheDir: run.cacheDir } : {}),
    force: run.force,
    progress: !run.json,
  };
  // Download (or find) the files first: a missing tokenizer is reported before any GPU work.
  const folder = await resolveCheckpoint(run.model, hub);
  if ('text' in run.prompt && !(await stat(join(folder, TOKENIZER_FILE)).catch(() => undefined))) {
    usageError(
      COMMAND,
      '--prompt',
      `${run.model} has no ${TOKENIZER_FILE}; pass the prompt as --ids instead`,
    );
  }
  if (run.sampling.temperature > 0 && run.randomSeed)
    io.err(`seed: ${run.sampling.seed} (random; --seed ${run.sampling.seed} repeats this run)\n`);
  const ctx = await getGpuContext();
  if (!run.json) io.err(`adapter: ${ctx.describe()}\n`);
  using model = await loadModel(folder, {
    ctx,
    ...(run.dtype ? { dtype: run.dtype } : {}),
    progress: !run.json,
  });
  const promptIds = 'ids' in run.prompt ? [...run.prompt.ids] : model.tokenizer!.encode(run.prompt.text);
  const ids: number[] = [];
  let text = '';
  if (!run.json && 'text' in run.prompt) io.out(run.prompt.text);
  const options = { maxTokens: run.maxTokens, ...run.sampling, eos: run.eos, signal: io.signal };
  for await (const chunk of model.stream(promptIds, options)) {
    if (chunk.id >= 0) ids.push(chunk.id);
    text += chunk.text;
    if (!run.json) io.out(model.tokenizer ? chunk.text : `${chunk.id >= 0 ? `${chunk.id} ` : ''}`);
  }
  const s = model.lastStats!;
  const prefillTps = s.promptTokens / (s.prefillMs / 1000);
  const decodeTps = s.generatedTokens > 1 ? (s.generatedTokens - 1) / (s.decodeMs / 1000) : 0;
  if (run.json) {
    const stats = {
      ...s,
      prefillTokensPerSecond: prefillTps,
      decodeTokensPerSecond: decodeTps,
      // One run in a fresh process: its prefill time holds the shader compilation and graph capture.
      prefillIncludesCompilation: true,
    };
    io.out(`${JSON.stringify({ promptIds, ids, text, seed: run.sampling.seed, stats })}\n`);
  } else {
    io.out('\n');
    io.err(
      `prefill: ${s.promptTokens} tokens in ${s.prefillMs.toFixed(1)} ms (${prefillTps.toFixed(1)} tok/s, ` +
        `includes first-call shader compilation and graph capture); ` +
        `decode: ${s.generatedTokens} tokens, ${decodeTps.toFixed(1)} tok/s\n`,
    );
  }
  return 0;
}
