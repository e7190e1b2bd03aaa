// Node-only: writing checkpoints and optimizer state to a folder, atomically. Every file is
// written whole to a temporary name in the same folder (and fsynced) before any is renamed into
// place, so a failure leaves no partial file behind: the folder holds the old files or the new.

import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { MambaWebGpuError } from '@mamba-webgpu/tensor';
import { CONFIG_FILE, WEIGHTS_FILE } from '../../loading/checkpoint.js';
import type { MambaConfig } from '../../loading/config.js';
import { MambaModelError } from '../../loading/errors.js';
import { openFileSource } from '../../loading/node-file-source.js';
import type { AdamW } from '../optimizer/adamw.js';
import type { Named } from '../named.js';
import { checkpointFiles, type SavableTensor, type SaveCheckpointOptions } from './hf-checkpoint.js';
import {
  OPTIMIZER_STATE_FILE,
  type OptimizerState,
  readOptimizerState,
  serializeOptimizerState,
} from './optimizer-state.js';

/** Writing a checkpoint or optimizer state failed; nothing partial was left behind. */
export class CheckpointWriteError extends MambaModelError {
  override name = 'CheckpointWriteError';
  constructor(
    message: string,
    /** The file being written. */
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** One file to write: its name in the folder and its bytes as chunks. */
export interface FileToWrite {
  readonly name: string;
  chunks(): AsyncIterable<Uint8Array>;
}

/** The file-system calls the atomic writer makes (node:fs/promises; tests inject failures). */
export interface AtomicWriteFs {
  open: typeof open;
  rename: typeof rename;
  rm: typeof rm;
  mkdir: typeof mkdir;
}

const NODE_FS: AtomicWriteFs = { open, rename, rm, mkdir };

/** Temporary files of interrupted writes start with this (`.model.safetensors.tmp-...`). */
export const TEMP_MARKER = '.tmp-';

/**
 * Writes `files` into `dir` (created if needed): each to `.<name>.tmp-<random>` beside its final
 * name, fsynced, then all renamed in order. On any failure every temporary file is removed and
 * a CheckpointWriteError (or the producer's own error) is thrown.
 */
export async function writeFilesAtomic(
  dir: string,
  files: readonly FileToWrite[],
  fs: AtomicWriteFs = NODE_FS,
): Promise<string[]> {
  const fn = 'writeFilesAtomic';
  const suffix = `${TEMP_MARKER}${randomBytes(6).toString('hex')}`;
  const temps = files.map((f) => join(dir, `.${basename(f.name)}${suffix}`));
  let current = dir;
  try {
    await fs.mkdir(dir, { recursive: true });
    for (const [i, file] of files.entries()) {
      current = join(dir, file.name);
      const handle = await fs.open(temps[i]!, 'wx');
      try {
        for await (const chunk of file.chunks()) {
          let done = 0;
          while (done < chunk.byteLength)
            done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const [i, file] of files.entries()) {
      current = join(dir, file.name);
      await fs.rename(temps[i]!, current);
    }
    return files.map((f) => join(dir, f.name));
  } catch (cause) {
    await Promise.allSettled(temps.map((t) => fs.rm(t, { force: true })));
    if (cause instanceof MambaWebGpuError) throw cause;
    throw new CheckpointWriteError(`${fn}: writing ${current} failed: ${(cause as Error).message}`, current, {
      cause,
    });
  }
}

/** Options of `saveCheckpoint` (Node). */
export interface SaveCheckpointNodeOptions extends SaveCheckpointOptions {
  /** Also save this optimizer's state as optimizer.safetensors (for resuming). */
  optimizer?: AdamW;
  /** @internal The file-system calls (tests inject failures). */
  fs?: AtomicWriteFs;
}

/**
 * Saves a Hugging Face checkpoint into `dir`: `model.safetensors` (tensors read from the GPU one
 * at a time, in `dtype`), `config.json`, and with `optimizer` also `optimizer.safetensors`; our
 * loader and transformers' `MambaForCausalLM.from_pretrained` both load it. Atomic (see
 * writeFilesAtomic). Returns the paths written.
 */
export async function saveCheckpoint(
  dir: string,
  config: MambaConfig,
  tensors: Named<SavableTensor>,
  options: SaveCheckpointNodeOptions = {},
): Promise<string[]> {
  const files = checkpointFiles(config, tensors, options);
  const toWrite: FileToWrite[] = [{ name: WEIGHTS_FILE, chunks: () => files.weights.chunks() }];
  if (options.optimizer) toWrite.push(optimizerFile(await options.optimizer.exportState()));
  toWrite.push({ name: CONFIG_FILE, chunks: () => once(new TextEncoder().encode(files.config)) });
  return writeFilesAtomic(dir, toWrite, options.fs);
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function optimizerFile(state: OptimizerState): FileToWrite {
  return { name: OPTIMIZER_STATE_FILE, chunks: () => once(serializeOptimizerState(state)) };
}

/** Saves an optimizer's state (or a state read back) as `dir/optimizer.safetensors`, atomically. */
export async function saveOptimizerState(
  dir: string,
  optimizer: AdamW | OptimizerState,
  fs?: AtomicWriteFs,
): Promise<string> {
  const state = 'exportState' in optimizer ? await optimizer.exportState() : optimizer;
  const [path] = await writeFilesAtomic(dir, [optimizerFile(state)], fs);
  return path!;
}

/** Reads `dir/optimizer.safetensors`; with `optimizer`, also loads it (moments and step count). */
export async function loadOptimizerState(dir: string, optimizer?: AdamW): Promise<OptimizerState> {
  const source = await openFileSource(join(dir, OPTIMIZER_STATE_FILE));
  try {
    const state = await readOptimizerState(source);
    optimizer?.loadState(state);
    return state;
  } finally {
    await source.close?.();
  }
}
