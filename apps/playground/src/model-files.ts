// Turns the files of a file picker (several files, or a whole folder) into a CheckpointStore:
// files are keyed by their base name, and read slice by slice (never whole) by `memoryStore`.

import { type CheckpointStore, memoryStore } from '@mamba-webgpu/mamba-model';

/** Builds a store from picked files; a folder pick may hold sub-folders, whose files must not clash. */
export function storeFromFiles(files: readonly File[]): CheckpointStore {
  if (files.length === 0)
    throw new Error('storeFromFiles: pick config.json and the model.safetensors file(s)');
  const byName = new Map<string, File>();
  for (const file of files) {
    const existing = byName.get(file.name);
    if (existing) {
      throw new Error(
        `storeFromFiles: two picked files are named ${file.name} (${relativePath(existing)} and ` +
          `${relativePath(file)}); pick one model folder`,
      );
    }
    byName.set(file.name, file);
  }
  if (!byName.has('config.json')) {
    throw new Error(
      `storeFromFiles: config.json must be among the picked files, got ${[...byName.keys()].join(', ')}`,
    );
  }
  const first = files[0]!;
  const folder = relativePath(first).includes('/') ? relativePath(first).split('/')[0] : 'local files';
  return memoryStore(byName, `picked: ${folder}`);
}

function relativePath(file: File): string {
  return file.webkitRelativePath || file.name;
}
