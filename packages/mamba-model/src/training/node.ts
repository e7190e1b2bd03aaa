// Node-only public API of the training layer: atomic checkpoint and optimizer-state files.

export {
  type AtomicWriteFs,
  CheckpointWriteError,
  type FileToWrite,
  loadOptimizerState,
  type SaveCheckpointNodeOptions,
  saveCheckpoint,
  saveOptimizerState,
  writeFilesAtomic,
} from './checkpoint/node-checkpoint.js';
