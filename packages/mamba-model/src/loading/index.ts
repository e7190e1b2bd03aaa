// Browser-safe public API of the checkpoint-loading layer: byte sources, the safetensors reader
// and writer, the typed config (and its HF config.json form), the weight spec, checkpoint stores,
// the browser's model cache and `openCheckpoint`.

export {
  type ByteSource,
  blobSource,
  bytesSource,
  type HttpSourceOptions,
  openHttpSource,
} from './byte-source.js';
export {
  type Checkpoint,
  type CheckpointTensor,
  type CheckpointWarning,
  CONFIG_FILE,
  type LoadedTensor,
  type LoadProgress,
  MAX_VOCAB_PADDING_ROWS,
  type OpenCheckpointOptions,
  openCheckpoint,
  parseSafetensorsIndex,
  TOKENIZER_CONFIG_FILE,
  TOKENIZER_FILE,
  WEIGHTS_FILE,
  WEIGHTS_INDEX_FILE,
  type WeightDtype,
} from './checkpoint.js';
export { type ConfigDtype, type MambaConfig, type MambaModelType, parseMambaConfig } from './config.js';
export { type HfConfigJsonOptions, hfConfigJson } from './config-json.js';
export {
  ConfigError,
  HubError,
  ModelCacheError,
  type ModelCacheErrorReason,
  ModelTooLargeError,
  type HubErrorReason,
  MambaModelError,
  SafetensorsError,
  type SafetensorsErrorReason,
} from './errors.js';
export { DEFAULT_HUB_ENDPOINT, type HubId, hubBaseUrl, hubFileUrl, isHubId, parseHubId } from './hub-id.js';
export {
  DEFAULT_MAX_HEADER_BYTES,
  decodeToFloat32,
  decodeToInt32,
  f16ToF32,
  parseSafetensorsHeader,
  type ReadHeaderOptions,
  readAllTensors,
  readSafetensorsHeader,
  readTensorBytes,
  SAFETENSORS_DTYPE_BYTES,
  type SafetensorsDtype,
  type SafetensorsEntry,
  type SafetensorsHeader,
  type TensorBytes,
  toU32Words,
} from './safetensors.js';
export {
  encodeTensorValues,
  type LazySafetensorsTensor,
  planSafetensors,
  type SafetensorsPlan,
  type SafetensorsTensor,
  type SafetensorsTensorInfo,
  safetensorsChunks,
  serializeSafetensors,
  type TensorValues,
  type WritableDtype,
} from './safetensors-writer.js';
export {
  type CacheBackend,
  type CachedFileRecord,
  type CachedModel,
  type CacheHit,
  type CacheLock,
  type CachePutOptions,
  type CacheWriter,
  cacheFolderName,
  MODEL_CACHE_NAME,
  ModelCache,
  type ModelCacheOptions,
} from './model-cache.js';
export { clearModelCache, listCachedModels, openModelCache, opfsBackend } from './opfs-cache.js';
export { type DownloadProgress, describeResponse } from './url-cache.js';
export { parseTokenizerConfig, type TokenizerConfig } from './tokenizer-config.js';
export { type CheckpointStore, memoryStore, type UrlStoreOptions, urlStore } from './store.js';
export {
  detectNaming,
  type WeightNaming,
  type WeightRole,
  type WeightSpecEntry,
  weightSpec,
} from './weight-spec.js';
