// `mamba-webgpu serve`: the OpenAI-compatible HTTP server on a checkpoint, loopback unless --host
// says otherwise. SIGTERM / SIGINT stop accepting requests, cancel the running ones, free the
// model and exit 0.

import { parseArgs } from 'node:util';
import type { GpuContext } from '@mamba-webgpu/tensor';
import { MambaModelError } from '../loading/errors.js';
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

function integerOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new MambaModelError(`mamba-webgpu serve: --${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** Runs the server until SIGTERM or SIGINT; resolves with the exit code. */
export async function serveCommand(argv: string[], gpu: () => Promise<GpuContext>): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', short: 'm' },
      host: { type: 'string' },
      port: { type: 'string' },
      parallel: { type: 'string' },
      queue: { type: 'string' },
      endpoint: { type: 'string' },
      'cache-dir': { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  if (!values.model)
    throw new MambaModelError('mamba-webgpu serve: --model is required (a folder or a hub id)');
  // Checked before any download or GPU work.
  const port = integerOption('port', values.port, 8080, 0);
  if (port > 65535) throw new MambaModelError(`mamba-webgpu serve: --port must be <= 65535, got ${port}`);
  const slots = integerOption('parallel', values.parallel, 8, 1);
  const queue = integerOption('queue', values.queue, 64, 0);
  const ctx = await gpu();
  process.stderr.write(`adapter: ${ctx.describe()}\n`);
  const model = await loadModel(values.model, {
    ctx,
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {}),
    force: values.force ?? false,
    progress: true,
  });
  const engine = createEngine(model, { slots, queue });
  const server = await createServer(engine, { port, ...(values.host ? { host: values.host } : {}) });
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
