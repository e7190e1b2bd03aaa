// The Tokenizer: loads a Hugging Face tokenizer.json and runs the `tokenizers` pipeline
// (added tokens -> normalizer -> pre-tokenizer -> BPE -> post-processor; decoder back), with a
// cache of model output per pre-tokenized piece.
import { type AddedToken, AddedVocabulary, addedTokensFromJSON, type Segments } from './added-vocabulary';
import { type BpeModel, bpeFromJSON } from './bpe';
import { byteLevelTokenBytes } from './byte-level';
import { DecodeStream } from './decode-stream';
import { ByteLevelDecoder, type Decoder, decoderFromJSON, SequenceDecoder } from './decoders';
import {
  TokenIdError,
  TokenizerArgumentError,
  TokenizerConfigError,
  TokenizerError,
  UnsupportedComponentError,
} from './errors';
import { findDeepNesting, MAX_JSON_DEPTH, readObject, readString } from './json';
import { type Normalizer, normalizerFromJSON } from './normalizers';
import { type PostProcessor, postProcessorFromJSON } from './post-processors';
import { MetaspacePreTokenizer, type PreTokenizerStep, preTokenizerFromJSON } from './pre-tokenizers';
import {
  type PaddingParams,
  pad,
  paddingFromJSON,
  type TruncationParams,
  truncate,
  truncationFromJSON,
} from './truncation-padding';
import { toWellFormed } from './unicode';
import { PieceCache } from './piece-cache';
import type { RangeScanner } from './scanners';

/** Options of `encode`. */
export interface EncodeOptions {
  /** Add the post-processor's special tokens (BOS, CLS/SEP, ...). Default true, as in `tokenizers`. */
  addSpecialTokens?: boolean;
  /** A second sequence, for pair templates. */
  pair?: string;
}

/** Options of `decode` and `decodeStream`. */
export interface DecodeOptions {
  /** Drop special added tokens from the output. Default false. */
  skipSpecialTokens?: boolean;
}

/** Pieces longer than this (UTF-16 units) are not cached (Rust caches words < 256 bytes). */
const CACHE_MAX_PIECE = 256;
const CACHE_CAPACITY = 100_000;

const utf8Lossy = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const EMPTY_BYTES = new Uint8Array(0);
const FLAG_VALID = 1;
const FLAG_SPECIAL = 2;

/** Bytes of every token id for the ByteLevel decoder (see `Tokenizer.byteTable`). */
export interface ByteTable {
  pool: Uint8Array;
  offsets: Int32Array;
  flags: Uint8Array;
}

function checkIdList(ids: ArrayLike<number>, where: string): void {
  if (ids === null || typeof ids !== 'object' || typeof ids.length !== 'number') {
    throw new TokenizerArgumentError(`${where}: ids must be an array of token ids, got ${typeof ids}`);
  }
}

/** A tokenizer.json tokenizer with the exact behaviour of Hugging Face `tokenizers`. */
export class Tokenizer {
  /** The BPE model. */
  readonly model: BpeModel;
  /** Normalizer, or undefined. */
  readonly normalizer: Normalizer | undefined;
  /** Pre-tokenization steps (a `Sequence` is flattened). */
  readonly preTokenizer: readonly PreTokenizerStep[];
  /** Post-processor, or undefined. */
  readonly postProcessor: PostProcessor | undefined;
  /** Decoder, or undefined (tokens are then joined with spaces). */
  readonly decoder: Decoder | undefined;
  /** Added tokens and their matchers. */
  readonly addedVocabulary: AddedVocabulary;
  /** `truncation` of tokenizer.json (set it to undefined to encode without). */
  truncation: TruncationParams | undefined;
  /** `padding` of tokenizer.json (set it to undefined to encode without). */
  padding: PaddingParams | undefined;

  private readonly splitSteps: Array<(text: string, out: string[], atInputStart: boolean) => void>;
  private readonly transforms: Array<(piece: string) => string>;
  /** True when splitting never follows a transform, so the cache can key on raw pieces. */
  private readonly rawKeyed: boolean;
  private readonly cache = new Map<string, number[]>();
  private readonly pieceCache = new PieceCache();
  /** The single scanner-backed split step, when the pre-tokenizer is one (the fast path). */
  private readonly rangeStep: { prepare(text: string): string; scan: RangeScanner } | undefined;
  /** Built on first use; null when ids are too sparse for a table. */
  private bytes: ByteTable | null | undefined;
  /** Whether the decoder is plain ByteLevel (streaming then uses an incremental UTF-8 decoder). */
  readonly byteLevelDecoder: boolean;

  private constructor(
    model: BpeModel,
    normalizer: Normalizer | undefined,
    preTokenizer: PreTokenizerStep[],
    postProcessor: PostProcessor | undefined,
    decoder: Decoder | undefined,
    addedTokens: Array<Omit<AddedToken, 'id'>>,
  ) {
    this.model = model;
    this.normalizer = normalizer;
    this.preTokenizer = preTokenizer;
    this.postProcessor = postProcessor;
    this.decoder = decoder;
    this.addedVocabulary = new AddedVocabulary(addedTokens, model, normalizer);
    let sawTransform = false;
    let rawKeyed = true;
    for (const step of preTokenizer) {
      if (step.split && sawTransform) rawKeyed = false;
      if (step.transform) sawTransform = true;
    }
    this.rawKeyed = rawKeyed;
    const splitters = preTokenizer.filter((step) => step.split);
    this.rangeStep = rawKeyed && splitters.length === 1 ? splitters[0]!.ranges : undefined;
    const firstSplit = preTokenizer.findIndex((step) => step.split);
    preTokenizer.forEach((step, k) => {
      if (step instanceof MetaspacePreTokenizer && step.prependScheme === 'first' && k !== firstSplit) {
        // Which piece starts the input is only known before any other step splits.
        throw new UnsupportedComponentError(
          'pre_tokenizer',
          'Metaspace (prepend_scheme first, after a splitting step)',
          `pre_tokenizer.pretokenizers[${k}]`,
          ['Metaspace with prepend_scheme first as the first splitting step'],
        );
      }
    });
    this.splitSteps = preTokenizer.filter((s) => s.split).map((s) => s.split!.bind(s));
    this.transforms = preTokenizer.filter((s) => s.transform).map((s) => s.transform!.bind(s));
    this.byteLevelDecoder =
      decoder instanceof ByteLevelDecoder ||
      (decoder instanceof SequenceDecoder &&
        decoder.decoders.length > 0 &&
        decoder.decoders.every((d) => d instanceof ByteLevelDecoder));
  }

  /**
   * Builds a tokenizer from a parsed tokenizer.json object or its text. Throws
   * `TokenizerConfigError` for malformed input and `UnsupportedComponentError` (naming the
   * type) for components this package does not implement.
   */
  static fromJSON(json: unknown): Tokenizer {
    let value = json;
    if (typeof json === 'string') {
      const deepAt = findDeepNesting(json);
      if (deepAt !== undefined) {
        throw new TokenizerConfigError(
          `Tokenizer.fromJSON: tokenizer.json must nest arrays/objects at most ${MAX_JSON_DEPTH} deep ` +
            `(the limit of the Rust tokenizers crate), got deeper at character ${deepAt}. The file is corrupt or hostile.`,
          '',
        );
      }
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new TokenizerConfigError(
          `Tokenizer.fromJSON: input must be valid JSON, got a parse error (${(error as Error).message})`,
          '',
        );
      }
    }
    const root = readObject(value, 'tokenizer.json');
    const modelObj = readObject(root.model, 'model');
    const modelType =
      modelObj.type === undefined && 'merges' in modelObj ? 'BPE' : readString(modelObj.type, 'model.type');
    if (modelType !== 'BPE') throw new UnsupportedComponentError('model', modelType, 'model.type', ['BPE']);
    const model = bpeFromJSON(modelObj);
    const normalizer = normalizerFromJSON(root.normalizer);
    const preTokenizer = preTokenizerFromJSON(root.pre_tokenizer);
    const postProcessor = postProcessorFromJSON(root.post_processor);
    const decoder = decoderFromJSON(root.decoder);
    const addedTokens = addedTokensFromJSON(root.added_tokens);
    const tokenizer = new Tokenizer(model, normalizer, preTokenizer, postProcessor, decoder, addedTokens);
    tokenizer.truncation = truncationFromJSON(root.truncation);
    tokenizer.padding = paddingFromJSON(root.padding);
    return tokenizer;
  }

  /** Vocabulary size including added tokens (as `get_vocab_size(true)`). */
  get vocabSize(): number {
    return this.getVocabSize(true);
  }

  /** Vocabulary size, with or without the added tokens that are not in the model vocab. */
  getVocabSize(withAddedTokens = true): number {
    const base = this.model.size;
    if (!withAddedTokens) return base;
    let extra = 0;
    for (const content of this.addedVocabulary.tokenToIdMap.keys()) {
      if (!this.model.vocab.has(content)) extra++;
    }
    return base + extra;
  }

  /** All added tokens (special and not), by id. */
  get addedTokens(): readonly AddedToken[] {
    return [...this.addedVocabulary.idToTokenMap.values()].sort((a, b) => a.id - b.id);
  }

  /** The id of a token string (added tokens first, then the model), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.addedVocabulary.tokenToIdMap.get(token) ?? this.model.vocab.get(token);
  }

  /** The token string of an id (added tokens first, then the model), or undefined. */
  idToToken(id: number): string | undefined {
    return this.addedVocabulary.idToToken(id) ?? this.model.vocabReverse[id];
  }

  /** Encodes `text` into token ids (truncated and padded when tokenizer.json says so). */
  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.encodeOne(text, options, false);
  }

  private encodeOne(text: string, options: EncodeOptions, batched: boolean): number[] {
    if (typeof text !== 'string') {
      throw new TokenizerArgumentError(`Tokenizer.encode: text must be a string, got ${typeof text}`);
    }
    const limit = (first: boolean) =>
      this.truncation && !(first && this.truncation.strategy === 'OnlySecond') ? this.truncation : undefined;
    const sequences = [this.encodeSequence(text, limit(true))];
    if (options.pair !== undefined) {
      if (typeof options.pair !== 'string') {
        throw new TokenizerArgumentError(
          `Tokenizer.encode: pair must be a string, got ${typeof options.pair}`,
        );
      }
      sequences.push(this.encodeSequence(options.pair, limit(false)));
    }
    const addSpecialTokens = options.addSpecialTokens ?? true;
    let truncated = sequences;
    if (this.truncation) {
      const added = addSpecialTokens ? (this.postProcessor?.addedTokens(sequences.length === 2) ?? 0) : 0;
      const maxLength = added > 0 ? this.truncation.maxLength - added : this.truncation.maxLength;
      if (maxLength < 0) {
        throw new TokenizerError(
          `Tokenizer.encode: truncation max_length must leave room for ${added} special tokens, got ${this.truncation.maxLength}`,
        );
      }
      truncated = truncate(sequences, this.truncation, maxLength);
    }
    const processed = this.postProcessor
      ? this.postProcessor.process(truncated, addSpecialTokens)
      : truncated;
    const ids = processed.length === 1 ? processed[0]! : processed.flat();
    if (this.padding && !batched) pad([ids], this.padding);
    return ids;
  }

  /** Encodes several texts (same options for all); `BatchLongest` padding pads to the longest. */
  encodeBatch(texts: readonly string[], options: EncodeOptions = {}): number[][] {
    if (!Array.isArray(texts)) {
      throw new TokenizerArgumentError(
        `Tokenizer.encodeBatch: texts must be an array of strings, got ${typeof texts}`,
      );
    }
    const batch = texts.map((text) => this.encodeOne(text, options, true));
    if (this.padding) pad(batch, this.padding);
    return batch;
  }

  /** Token strings of `encode(text, options)`. */
  tokenize(text: string, options: EncodeOptions = {}): string[] {
    return this.encode(text, options).map((id) => this.idToToken(id)!);
  }

  /** Decodes ids into text. Ids outside the vocabulary throw `TokenIdError`. */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    if (!this.byteLevelDecoder) return this.decodeTokens(this.idsToTokens(ids, skip, 'Tokenizer.decode'));
    // ByteLevel fast path: the bytes of every id in one table, one UTF-8 decode at the end
    // (the same result as ByteLevelDecoder.decodeChain on the token strings).
    checkIdList(ids, 'Tokenizer.decode');
    const table = this.byteTable();
    if (table === undefined) return this.decodeTokens(this.idsToTokens(ids, skip, 'Tokenizer.decode'));
    const { pool, offsets, flags } = table;
    const maxId = offsets.length - 2;
    let buffer = new Uint8Array(Math.max(64, ids.length * 8));
    let length = 0;
    const skipFlag = skip ? FLAG_SPECIAL : 0;
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k]!;
      if (!(id >= 0 && id <= maxId && Number.isInteger(id)) || flags[id] === 0)
        this.checkedToken(id, 'Tokenizer.decode');
      if ((flags[id]! & skipFlag) !== 0) continue;
      const from = offsets[id]!;
      const to = offsets[id + 1]!;
      if (length + (to - from) > buffer.length) {
        const grown = new Uint8Array(Math.max(buffer.length * 2, length + (to - from)));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      for (let b = from; b < to; b++) buffer[length++] = pool[b]!;
    }
    return utf8Lossy.decode(buffer.subarray(0, length));
  }

  /**
   * @internal The ByteLevel decoder bytes of every id, built on first use: `pool` holds them
   * back to back, id `i` owns `pool[offsets[i]..offsets[i+1])`; `flags[i]` is 0 for ids outside
   * the vocabulary, else FLAG_VALID plus FLAG_SPECIAL for special tokens.
   */
  byteTable(): ByteTable | undefined {
    if (this.bytes !== undefined) return this.bytes ?? undefined;
    let maxId = -1;
    for (const id of this.model.vocab.values()) maxId = Math.max(maxId, id);
    for (const id of this.addedVocabulary.idToTokenMap.keys()) maxId = Math.max(maxId, id);
    if (maxId > 4 * (this.model.size + this.addedVocabulary.idToTokenMap.size) + 1024) {
      // Ids too sparse for a dense table (a hand-made tokenizer.json): decode token by token.
      this.bytes = null;
      return undefined;
    }
    const offsets = new Int32Array(maxId + 2);
    const flags = new Uint8Array(maxId + 1);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (let id = 0; id <= maxId; id++) {
      offsets[id] = total;
      const token = this.idToToken(id);
      if (token === undefined) continue;
      const bytes = byteLevelTokenBytes(token);
      chunks.push(bytes);
      total += bytes.length;
      flags[id] = FLAG_VALID | (this.addedVocabulary.specialContents.has(token) ? FLAG_SPECIAL : 0);
    }
    offsets[maxId + 1] = total;
    const pool = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      pool.set(c, at);
      at += c.length;
    }
    this.bytes = { pool, offsets, flags };
    return this.bytes;
  }

  /**
   * @internal The ByteLevel decoder bytes of one id (empty for a skipped special token);
   * throws `TokenIdError` for ids outside the vocabulary.
   */
  tokenBytes(id: unknown, skipSpecialTokens: boolean, where: string): Uint8Array {
    const table = this.byteTable();
    if (table === undefined) {
      const token = this.checkedToken(id, where);
      if (skipSpecialTokens && this.addedVocabulary.specialContents.has(token)) return EMPTY_BYTES;
      return byteLevelTokenBytes(token);
    }
    const { pool, offsets, flags } = table;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= flags.length || flags[id] === 0) {
      this.checkedToken(id, where);
    }
    const k = id as number;
    if (skipSpecialTokens && (flags[k]! & FLAG_SPECIAL) !== 0) return EMPTY_BYTES;
    return pool.subarray(offsets[k], offsets[k + 1]);
  }

  /** Decodes several id sequences. */
  decodeBatch(batch: ReadonlyArray<ArrayLike<number>>, options: DecodeOptions = {}): string[] {
    return batch.map((ids) => this.decode(ids, options));
  }

  /** An incremental decoder: feed ids one by one, get text that never splits a character. */
  decodeStream(options: DecodeOptions = {}): DecodeStream {
    return new DecodeStream(this, options.skipSpecialTokens ?? false);
  }

  /** @internal Token strings of ids, skipping special tokens when asked. */
  idsToTokens(ids: ArrayLike<number>, skipSpecialTokens: boolean, where: string): string[] {
    checkIdList(ids, where);
    const tokens: string[] = [];
    for (let k = 0; k < ids.length; k++) {
      const token = this.checkedToken(ids[k], where);
      if (skipSpecialTokens && this.addedVocabulary.specialContents.has(token)) continue;
      tokens.push(token);
    }
    return tokens;
  }

  /** @internal The token of one id, or a `TokenIdError`. */
  checkedToken(id: unknown, where: string): string {
    const token = typeof id === 'number' && Number.isInteger(id) && id >= 0 ? this.idToToken(id) : undefined;
    if (token === undefined) {
      throw new TokenIdError(
        `${where}: token id must be an id of the vocabulary (size ${this.vocabSize}), got ${String(id)}`,
        id,
      );
    }
    return token;
  }

  /** @internal Runs the decoder on token strings. */
  decodeTokens(tokens: string[]): string {
    if (!this.decoder) return tokens.join(' ');
    return this.decoder.decodeChain(tokens).join('');
  }

  /**
   * Ids of one sequence. With `limit` (truncation), tokenization stops as Rust's
   * `tokenize_with_limit` does: at the first pre-tokenized piece (from the right end for Left)
   * where the ids reach `limit.maxLength`; added-token pieces never stop it.
   */
  private encodeSequence(text: string, limit?: TruncationParams): number[] {
    const out: number[] = [];
    if (!limit) {
      this.encodeSequenceInto(text, out, undefined, undefined);
      return out;
    }
    const ends: number[] = [];
    const isAdded: boolean[] = [];
    this.encodeSequenceInto(text, out, ends, isAdded);
    const pieceEnds = (k: number) => ends[k]!;
    const max = limit.maxLength;
    if (limit.direction === 'Right') {
      for (let k = 0; k < ends.length; k++) {
        if (!isAdded[k] && pieceEnds(k) >= max) return out.slice(0, pieceEnds(k));
      }
      return out;
    }
    let total = 0;
    for (let k = ends.length - 1; k >= 0; k--) {
      const start = k > 0 ? pieceEnds(k - 1) : 0;
      total += pieceEnds(k) - start;
      if (!isAdded[k] && total >= max) return out.slice(start);
    }
    return out;
  }

  /** Appends the ids of one sequence; with `ends`, records where each piece ends and if it is an added token. */
  private encodeSequenceInto(
    text: string,
    out: number[],
    ends: number[] | undefined,
    isAdded: boolean[] | undefined,
  ): void {
    const pushAdded = (id: number) => {
      out.push(id);
      if (ends) {
        ends.push(out.length);
        isAdded!.push(true);
      }
    };
    const input = toWellFormed(text);
    const raw: Segments = { texts: [], ids: [] };
    const added = this.addedVocabulary;
    if (added.rawMatcher) added.rawMatcher.split(input, raw);
    else if (input.length > 0) {
      raw.texts.push(input);
      raw.ids.push(-1);
    }
    for (let k = 0; k < raw.texts.length; k++) {
      const id = raw.ids[k]!;
      if (id >= 0) {
        pushAdded(id);
        continue;
      }
      const normalized = this.normalizer ? this.normalizer.normalize(raw.texts[k]!) : raw.texts[k]!;
      if (!added.normalizedMatcher) {
        this.encodePlain(normalized, out, k === 0, ends, isAdded);
        continue;
      }
      const inner: Segments = { texts: [], ids: [] };
      added.normalizedMatcher.split(normalized, inner);
      for (let j = 0; j < inner.texts.length; j++) {
        const innerId = inner.ids[j]!;
        if (innerId >= 0) pushAdded(innerId);
        else this.encodePlain(inner.texts[j]!, out, k === 0 && j === 0, ends, isAdded);
      }
    }
  }

  /** Pre-tokenizes and tokenizes normalized text that holds no added token. */
  private encodePlain(
    text: string,
    out: number[],
    atInputStart: boolean,
    ends?: number[],
    isAdded?: boolean[],
  ): void {
    if (text.length === 0) return;
    const rangeStep = this.rangeStep;
    if (rangeStep) {
      // One scanner-backed split step: look pieces up by range, make strings only on a miss.
      const prepared = rangeStep.prepare(text);
      const cache = this.pieceCache;
      rangeStep.scan(prepared, (start, end) => {
        const long = end - start >= CACHE_MAX_PIECE;
        const h = long ? 0 : PieceCache.hash(prepared, start, end);
        let ids = long ? undefined : cache.get(prepared, start, end, h);
        if (ids === undefined) {
          const piece = prepared.slice(start, end);
          ids = [];
          let word = piece;
          for (const transform of this.transforms) word = transform(word);
          this.model.tokenize(word, ids);
          if (!long) cache.set(piece, h, ids);
        }
        if (ids.length === 1) out.push(ids[0]!);
        else for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
        if (ends) {
          ends.push(out.length);
          isAdded!.push(false);
        }
      });
      return;
    }
    let pieces: string[] = [text];
    if (this.rawKeyed) {
      for (const split of this.splitSteps) {
        const next: string[] = [];
        for (let k = 0; k < pieces.length; k++) split(pieces[k]!, next, atInputStart && k === 0);
        pieces = next;
      }
    } else {
      for (const step of this.preTokenizer) {
        if (step.split) {
          const next: string[] = [];
          for (let k = 0; k < pieces.length; k++) step.split(pieces[k]!, next, atInputStart && k === 0);
          pieces = next;
        }
        if (step.transform) pieces = pieces.map((p) => step.transform!(p));
      }
    }
    const cache = this.cache;
    for (const piece of pieces) {
      let ids = cache.get(piece);
      if (ids === undefined) {
        ids = [];
        let word = piece;
        if (this.rawKeyed) for (const transform of this.transforms) word = transform(word);
        this.model.tokenize(word, ids);
        if (piece.length < CACHE_MAX_PIECE) {
          if (cache.size >= CACHE_CAPACITY) cache.clear();
          cache.set(piece, ids);
        }
      }
      if (ids.length === 1) out.push(ids[0]!);
      else for (let k = 0; k < ids.length; k++) out.push(ids[k]!);
      if (ends) {
        ends.push(out.length);
        isAdded!.push(false);
      }
    }
  }
}
