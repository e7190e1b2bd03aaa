// Node-only: a checkpoint folder on disk as a CheckpointStore, and the one-call
// `openLocalCheckpoint(dir)` built on it.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSource } from './byte-source.js';
import { type Checkpoint, type OpenCheckpointOptions, openCheckpoint } from './checkpoint.js';
import { SafetensorsError } from './errors.js';
import { openFileSource } from './node-file-source.js';
import type { CheckpointStore } from './store.js';

/** A folder of checkpoint files. Files are opened lazily with `openFileSource`. */
export function folderStore(dir: string): CheckpointStore {
  return {
    location: dir,
    async open(file): Promise<ByteSource | undefined> {
      try {
        return await openFileSource(join(dir, file));
      } catch (error) {
        if (error instanceof SafetensorsError && error.reason === 'missing-file') return undefined;
        throw error;
      }
    },
    async readText(file) {
      try {
        return await readFile(join(dir, file), 'utf8');
      } catch (cause) {
        if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new SafetensorsError(
          `folderStore.readText: cannot read ${join(dir, file)}: ${(cause as Error).message}`,
          'io',
          join(dir, file),
          undefined,
          {
            cause,
          },
        );
      }
    },
  };
}

/** Opens the checkpoint in a local folder (see `openCheckpoint`). */
export function openLocalCheckpoint(dir: string, options?: OpenCheckpointOptions): Promise<Checkpoint> {
  return openCheckpoint(folderStore(dir), options);
}
