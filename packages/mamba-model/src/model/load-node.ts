// Node entry to load a model from a local folder or a Hugging Face hub id (downloaded into the
// local cache with progress bars), with a progress bar while the weights go to the GPU.

import { folderStore } from '../loading/node-folder-store.js';
import { type ResolveCheckpointOptions, resolveCheckpoint } from '../loading/node-hub.js';
import { createProgressBar } from '../loading/progress.js';
import { type LoadModelOptions, loadModelFromStore, type MambaModel } from './mamba-model.js';

export interface LoadModelNodeOptions extends LoadModelOptions, ResolveCheckpointOptions {}

/**
 * Loads `pathOrHubId`: a folder with config.json + model.safetensors (or a sharded index), or a
 * hub id such as `state-spaces/mamba-130m-hf` (optionally `@revision`), downloaded and cached.
 */
export async function loadModel(
  pathOrHubId: string,
  options: LoadModelNodeOptions = {},
): Promise<MambaModel> {
  const folder = await resolveCheckpoint(pathOrHubId, options);
  const showBar = options.progress !== false;
  const bar = showBar
    ? createProgressBar({
        label: 'loading weights',
        ...(typeof options.progress === 'object' ? { stream: options.progress } : {}),
      })
    : undefined;
  try {
    const model = await loadModelFromStore(folderStore(folder), {
      ...options,
      onProgress: (p) => {
        bar?.update(p.loadedBytes, p.totalBytes);
        options.onProgress?.(p);
      },
    });
    bar?.finish();
    return model;
  } catch (error) {
    bar?.fail(error instanceof Error ? error.message : String(error));
    throw error;
  }
}
