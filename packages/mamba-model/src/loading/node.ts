// Node-only public API of the checkpoint-loading layer: files on disk, checkpoint folders, the
// hub downloader/cache and the terminal progress bar.

export { openFileSource } from './node-file-source.js';
export { folderStore, openLocalCheckpoint } from './node-folder-store.js';
export {
  defaultCacheDir,
  hubCacheFolder,
  type ResolveCheckpointOptions,
  resolveCheckpoint,
} from './node-hub.js';
export {
  createProgressBar,
  formatBytes,
  formatDuration,
  type ProgressBar,
  type ProgressBarOptions,
  type ProgressStream,
} from './progress.js';
