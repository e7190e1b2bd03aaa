// Public API of @mamba-webgpu/tokenizer (browser-safe: no Node built-ins). Load a Hugging Face
// tokenizer.json with `Tokenizer.fromJSON`; Node users can read files with `@mamba-webgpu/tokenizer/node`.
export type { AddedToken } from './added-vocabulary';
export { BpeModel } from './bpe';
export { DecodeStream } from './decode-stream';
export type { Decoder } from './decoders';
export {
  TokenIdError,
  TokenizerArgumentError,
  TokenizerConfigError,
  TokenizerError,
  UnsupportedComponentError,
  UnsupportedPatternError,
} from './errors';
// The nesting-depth scan run before JSON.parse, shared with @mamba-webgpu/mamba-model's loaders.
export { findDeepNesting, MAX_JSON_DEPTH } from './json';
export type { Normalizer } from './normalizers';
export type { PostProcessor } from './post-processors';
export type { PreTokenizerStep, SplitBehavior } from './pre-tokenizers';
export { type DecodeOptions, type EncodeOptions, Tokenizer } from './tokenizer';
