#!/usr/bin/env node
// mamba-webgpu CLI: `mamba-webgpu generate --model <dir|hub-id> --prompt "..."` streams generated
// text and ends with prefill and decode tokens/s; `--ids`/`--json` give exact id input/output.

import { parseArgs } from 'node:util';
import { getGpuContext, MambaWebGpuError } from '@mamba-webgpu/tensor';
import { MambaModelError } from './loading/errors.js';
import { loadModel } from './model/load-node.js';
import { checkWeightDType } from './model/weight-fit.js';
import { serveCommand } from './serving/cli-serve.js';
import { trainCommand } from './training/cli-train.js';

const HELP = `Usage: mamba-webgpu generate|train|serve ... (mamba-webgpu train --help, serve --help)

mamba-webgpu generate --model <folder|hub-id> (--prompt TEXT | --ids 1,2,3) [options]

Options:
  --model, -m         local checkpoint folder or Hugging Face id (e.g. state-spaces/mamba-130m-hf)
  --prompt, -p        prompt text (needs tokenizer.json beside the weights)
  --ids               prompt as comma-separated token ids (exact input)
  --dtype             weight matrices as f32, f16, bf16, q8 or q4 (quantized at load; default as stored)
  --max-tokens, -n    new tokens to generate (default 64)
  --temperature, -t   0 = greedy (default 0)
  --top-k             keep the k most likely tokens (0 = off)
  --top-p             nucleus mass (1 = off)
  --min-p             minimum probability relative to the top token (0 = off)
  --repetition-penalty  HF-style repetition penalty (1 = off)
  --seed              RNG seed (default 0)
  --no-eos            do not stop at the EOS token
  --json              print one JSON object (ids, text, stats) instead of streaming text
  --endpoint          hub endpoint (default HF_ENDPOINT or https://huggingface.co)
  --cache-dir         download cache (default MAMBA_WEBGPU_CACHE or ~/.cache/mamba-webgpu)
  --force             download the hub files again even when they are cached
  --help, -h          this help
`;

function numberOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new MambaModelError(`mamba-webgpu: --${name} must be a number, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stdout.write(HELP);
    return command ? 0 : 1;
  }
  if (command === 'train') return trainCommand(rest, () => getGpuContext());
  if (command === 'serve') return serveCommand(rest, () => getGpuContext());
  if (command !== 'generate') {
    process.stderr.write(`mamba-webgpu: unknown command "${command}"\n\n${HELP}`);
    return 1;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
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
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (!values.model)
    throw new MambaModelError('mamba-webgpu generate: --model is required (a folder or a hub id)');
  if ((values.prompt === undefined) === (values.ids === undefined)) {
    throw new MambaModelError('mamba-webgpu generate: give exactly one of --prompt TEXT or --ids 1,2,3');
  }
  checkWeightDType('mamba-webgpu generate --dtype', values.dtype);
  const ctx = await getGpuContext();
  if (!values.json) process.stderr.write(`adapter: ${ctx.describe()}\n`);
  using model = await loadModel(values.model, {
    ctx,
    ...(values.dtype ? { dtype: values.dtype } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
    force: values.force ?? false,
    progress: !values.json,
  });
  let promptIds: number[];
  if (values.ids !== undefined) {
    promptIds = values.ids.split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n))
        throw new MambaModelError(`mamba-webgpu generate: --ids must be integers, got "${s}"`);
      return n;
    });
  } else {
    if (!model.tokenizer) {
      throw new MambaModelError(
        `mamba-webgpu generate: ${values.model} has no tokenizer.json; pass the prompt as --ids instead`,
      );
    }
    promptIds = model.tokenizer.encode(values.prompt!);
  }
  const options = {
    maxTokens: numberOption('max-tokens', values['max-tokens'], 64),
    temperature: numberOption('temperature', values.temperature, 0),
    topK: numberOption('top-k', values['top-k'], 0),
    topP: numberOption('top-p', values['top-p'], 1),
    minP: numberOption('min-p', values['min-p'], 0),
    repetitionPenalty: numberOption('repetition-penalty', values['repetition-penalty'], 1),
    seed: numberOption('seed', values.seed, 0),
    eos: !values['no-eos'],
  };
  const ids: number[] = [];
  let text = '';
  if (!values.json && values.prompt !== undefined) process.stdout.write(values.prompt);
  for await (const chunk of model.stream(promptIds, options)) {
    if (chunk.id >= 0) ids.push(chunk.id);
    text += chunk.text;
    if (!values.json)
      process.stdout.write(model.tokenizer ? chunk.text : `${chunk.id >= 0 ? `${chunk.id} ` : ''}`);
  }
  const s = model.lastStats!;
  const prefillTps = s.promptTokens / (s.prefillMs / 1000);
  const decodeTps = s.generatedTokens > 1 ? (s.generatedTokens - 1) / (s.decodeMs / 1000) : 0;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({ promptIds, ids, text, stats: { ...s, prefillTokensPerSecond: prefillTps, decodeTokensPerSecond: decodeTps } })}\n`,
    );
  } else {
    process.stdout.write('\n');
    process.stderr.write(
      `prefill: ${s.promptTokens} tokens in ${s.prefillMs.toFixed(1)} ms (${prefillTps.toFixed(1)} tok/s); ` +
        `decode: ${s.generatedTokens} tokens, ${decodeTps.toFixed(1)} tok/s\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof MambaWebGpuError || error instanceof MambaModelError;
    process.stderr.write(
      `${known ? (error as Error).message : ((error as Error)?.stack ?? String(error))}\n`,
    );
    process.exit(known ? 2 : 1);
  },
);
