// `mamba-webgpu serve`: the OpenAI-compatible HTTP server on a checkpoint, loopback unless --host
// says otherwise. SIGTERM / SIGINT stop accepting requests, cancel the running ones, free the
// model and exit 0.

import type { GpuContext } from '@mamba-webgpu/tensor';
import { endpointFlag, integerFlag, nonEmpty, parseFlags, pathFlag, usageError } from '../cli/flags.js';
import { loadModel } from '../model/load-node.js';
import { createEngine } from './engine.js';
import { createServer } from './node-server.js';

export const SERVE_HELP = `Usage: mamba-webgpu serve --model <folder|hub-id> [options]

Serves /v1/models, /v1/completions, /v1/chat/completions (SSE with stream: true) and /health.

Options:
  --model, -m     local checkpoint folder or Hugging Face id
  --host          interface to listen on (default 127.0.0.1: this machine only)
  --port          port (default 8080; 0 picks a free one)
  --parallel      state slots decoded together: requests served at once (default 8)
  --queue         requests waiting for a slot before 429 (default 64)
  --endpoint      hub endpoint (default HF_ENDPOINT or https://huggingface.co)
  --cache-dir     download cache (default MAMBA_WEBGPU_CACHE or ~/.cache/mamba-webgpu)
  --force         download the hub files again even when they are cached
  --help, -h      this help
`;

const COMMAND = 'mamba-webgpu serve';

const FLAGS = {
  model: { type: 'string', short: 'm' },
  host: { type: 'string' },
  port: { type: 'string' },
  parallel: { type: 'string' },
  queue: { type: 'string' },
  endpoint: { type: 'string' },
  'cache-dir': { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the server until SIGTERM or SIGINT; resolves with the exit code. */
export async function serveCommand(argv: readonly string[], gpu: () => Promise<GpuContext>): Promise<number> {
  const values = parseFlags(COMMAND, argv, FLAGS);
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  // Every flag is checked before any download or GPU work.
  const modelId = nonEmpty(COMMAND, 'model', values.model);
  if (modelId === undefined) usageError(COMMAND, '--model', '--model is required (a folder or a hub id)');
  const host = nonEmpty(COMMAND, 'host', values.host);
  const port = integerFlag(COMMAND, 'port', values.port, 8080, {
    min: 0,
    max: 65535,
    want: 'an integer in [0, 65535]',
  });
  const slots = integerFlag(COMMAND, 'parallel', values.parallel, 8, { min: 1, want: 'an integer >= 1' });
  const queue = integerFlag(COMMAND, 'queue', values.queue, 64, { min: 0, want: 'an integer >= 0' });
  const endpoint = endpointFlag(COMMAND, values.endpoint);
  const cacheDir = pathFlag(COMMAND, 'cache-dir', values['cache-dir']);
  const ctx = await gpu();
  process.stderr.write(`adapter: ${ctx.describe()}\n`);
  const model = await loadModel(modelId, {
    ctx,
    ...(endpoint ? { endpoint } : {}),
    ...(cacheDir ? { cacheDir } : {}),
    force: values.force ?? false,
    progress: true,
  });
  const engine = createEngine(model, { slots, queue });
  const server = await createServer(engine, { port, ...(host ? { host } : {}) }).catch(async (error) => {
    await engine.close({ cancel: true });
    model.dispose();
    throw error;
  });
  process.stdout.write(`listening on ${server.url}/v1 (${slots} slots, queue ${queue})\n`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  process.stderr.write(`${signal}: cancelling running requests and shutting down\n`);
  await server.close({ cancel: true });
  model.dispose();
  process.stderr.write('stopped\n');
  return 0;
}
