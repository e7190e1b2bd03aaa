// The BPE model of tokenizer.json: vocab + ranked merges, `ignore_merges`, `byte_fallback`,
// unk handling and subword prefix/suffix as in Rust `tokenizers`. Merging takes the lowest
// (rank, position) pair each step: a linear scan for short words, a binary heap for long ones.
import { fail, isObject, MAX_TOKEN_ID, readArray, readBoolean, readObject, readOptionalString } from './json';

/** Open-addressing hash table from a pair of ids to the merge rank (last definition wins). */
class PairTable {
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly values: Int32Array;
  private readonly mask: number;
  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.left = new Int32Array(capacity).fill(-1);
    this.right = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }
  private slot(a: number, b: number): number {
    return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77)) >>> 0;
  }
  set(a: number, b: number, value: number): void {
    let k = this.slot(a, b) & this.mask;
    for (;;) {
      const l = this.left[k]!;
      if (l === -1 || (l === a && this.right[k] === b)) {
        this.left[k] = a;
        this.right[k] = b;
        this.values[k] = value;
        return;
      }
      k = (k + 1) & this.mask;
    }
  }
  /** The value of (a, b), or -1. */
  get(a: number, b: number): number {
    let k = this.slot(a, b) & this.mask;
    for (;;) {
      const l = this.left[k]!;
      if (l === -1) return -1;
      if (l === a && this.right[k] === b) return this.values[k]!;
      k = (k + 1) & this.mask;
    }
  }
}

/** Words with at most this many symbols merge by linear scans; longer ones use the heap. */
const SCAN_LIMIT = 48;

/** Options of the BPE model as written in tokenizer.json. */
export interface BpeOptions {
  unkToken?: string;
  continuingSubwordPrefix?: string;
  endOfWordSuffix?: string;
  fuseUnk: boolean;
  byteFallback: boolean;
  ignoreMerges: boolean;
}

/** The BPE model. */
export class BpeModel {
  /** Token string to id. */
  readonly vocab: Map<string, number>;
  /** Id to token string (sparse when ids have gaps). */
  readonly vocabReverse: string[];
  private readonly pairs: PairTable;
  /** New id of each merge, indexed by rank. */
  private readonly mergeResult: Int32Array;
  private readonly options: BpeOptions;
  /** Id of each single-character token for char codes < 512 (-1 if none); used without prefix/suffix. */
  private readonly charIds: Int32Array;
  private readonly unkId: number;

  constructor(
    vocab: Map<string, number>,
    merges: Array<[string, string]>,
    options: BpeOptions,
    path = 'model',
  ) {
    this.vocab = vocab;
    this.options = options;
    this.vocabReverse = [];
    for (const [token, id] of vocab) this.vocabReverse[id] = token;
    this.pairs = new PairTable(merges.length);
    this.mergeResult = new Int32Array(merges.length);
    const prefixLength = options.continuingSubwordPrefix?.length ?? 0;
    merges.forEach(([a, b], rank) => {
      const aId = vocab.get(a);
      const bId = vocab.get(b);
      const merged = a + b.slice(prefixLength);
      const newId = vocab.get(merged);
      if (aId === undefined) fail(`${path}.merges[${rank}]`, 'tokens of the vocab', a);
      if (bId === undefined) fail(`${path}.merges[${rank}]`, 'tokens of the vocab', b);
      if (newId === undefined)
        fail(`${path}.merges[${rank}]`, 'a merge whose result is in the vocab', merged);
      this.pairs.set(aId, bId, rank);
      this.mergeResult[rank] = newId;
    });
    this.charIds = new Int32Array(512).fill(-1);
    for (let c = 0; c < 512; c++) {
      const id = vocab.get(String.fromCharCode(c));
      if (id !== undefined) this.charIds[c] = id;
    }
    const unk = options.unkToken;
    this.unkId = unk === undefined ? -1 : (vocab.get(unk) ?? -2);
  }

  /** Number of tokens in the model vocabulary. */
  get size(): number {
    return this.vocab.size;
  }

  /**
   * Tokenizes one pre-tokenized piece into ids (appended to `out`). `strategy` forces the
   * linear-scan or heap merge (both give the same ids; tests check it).
   */
  tokenize(word: string, out: number[], strategy?: 'scan' | 'heap'): void {
    if (word.length === 0) return;
    if (this.options.ignoreMerges) {
      const id = this.vocab.get(word);
      if (id !== undefined) {
        out.push(id);
        return;
      }
    }
    const symbols = this.initialSymbols(word);
    const n = symbols.length;
    if (n === 0) return;
    if (strategy === 'heap' || (strategy === undefined && n > SCAN_LIMIT)) this.mergeWithHeap(symbols, out);
    else this.mergeWithScan(symbols, out);
  }

  private initialSymbols(word: string): number[] {
    const { continuingSubwordPrefix: prefix, endOfWordSuffix: suffix, byteFallback } = this.options;
    const plain = !prefix && !suffix;
    const symbols: number[] = [];
    let unk = -1; // pending unk id
    const n = word.length;
    for (let i = 0; i < n; ) {
      const c = word.charCodeAt(i);
      const w = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
      let id = plain && c < 512 ? this.charIds[c]! : -1;
      let piece = '';
      if (id < 0) {
        piece = word.slice(i, i + w);
        let key = piece;
        if (i > 0 && prefix) key = prefix + key;
        if (i + w >= n && suffix) key = key + suffix;
        id = this.vocab.get(key) ?? -1;
        piece = key;
      }
      i += w;
      if (id >= 0) {
        if (unk >= 0) {
          symbols.push(unk);
          unk = -1;
        }
        symbols.push(id);
        continue;
      }
      if (byteFallback) {
        const bytes = new TextEncoder().encode(piece);
        const ids: number[] = [];
        for (const b of bytes) {
          const byteId = this.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
          if (byteId === undefined) break;
          ids.push(byteId);
        }
        if (ids.length === bytes.length) {
          // Rust pushes byte tokens without flushing a pending unk first.
          symbols.push(...ids);
          continue;
        }
      }
      if (this.unkId === -2) {
        fail('model.unk_token', 'a token of the vocab', this.options.unkToken);
      }
      if (this.unkId >= 0) {
        if (unk >= 0 && !this.options.fuseUnk) symbols.push(unk);
        unk = this.unkId;
      }
    }
    if (unk >= 0) symbols.push(unk);
    return symbols;
  }

  /** Repeatedly merges the lowest-rank (then leftmost) adjacent pair. O(n^2) but tiny n. */
  private mergeWithScan(symbols: number[], out: number[]): void {
    let n = symbols.length;
    while (n > 1) {
      let bestRank = 0x7fffffff;
      let bestPos = -1;
      for (let k = 0; k < n - 1; k++) {
        const rank = this.pairs.get(symbols[k]!, symbols[k + 1]!);
        if (rank >= 0 && rank < bestRank) {
          bestRank = rank;
          bestPos = k;
        }
      }
      if (bestPos < 0) break;
      symbols[bestPos] = this.mergeResult[bestRank]!;
      symbols.splice(bestPos + 1, 1);
      n--;
    }
    for (let k = 0; k < n; k++) out.push(symbols[k]!);
  }

  /** The `Word::merge_all` algorithm: linked symbols and a heap of (rank, position). */
  private mergeWithHeap(symbols: number[], out: number[]): void {
    const n = symbols.length;
    const ids = Int32Array.from(symbols);
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let k = 0; k < n; k++) {
      next[k] = k + 1 < n ? k + 1 : -1;
      prev[k] = k - 1;
    }
    // Heap entries: key = rank * n + pos (min-heap, exact below 2^53); the result is looked up again.
    const heap: number[] = [];
    const push = (key: number) => {
      let k = heap.length;
      heap.push(key);
      while (k > 0) {
        const parent = (k - 1) >> 1;
        if (heap[parent]! <= key) break;
        heap[k] = heap[parent]!;
        k = parent;
      }
      heap[k] = key;
    };
    const pop = (): number => {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        let k = 0;
        const size = heap.length;
        for (;;) {
          let child = 2 * k + 1;
          if (child >= size) break;
          if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
          if (heap[child]! >= last) break;
          heap[k] = heap[child]!;
          k = child;
        }
        heap[k] = last;
      }
      return top;
    };
    for (let k = 0; k + 1 < n; k++) {
      const rank = this.pairs.get(ids[k]!, ids[k + 1]!);
      if (rank >= 0) push(rank * n + k);
    }
    while (heap.length > 0) {
      const key = pop();
      const rank = Math.floor(key / n);
      const pos = key - rank * n;
      if (alive[pos] === 0) continue;
      const right = next[pos]!;
      if (right < 0) continue;
      // Stale entry: the pair at `pos` changed since it was pushed.
      const current = this.pairs.get(ids[pos]!, ids[right]!);
      if (current < 0 || this.mergeResult[current] !== this.mergeResult[rank]) continue;
      ids[pos] = this.mergeResult[rank]!;
      alive[right] = 0;
      const after = next[right]!;
      next[pos] = after;
      if (after >= 0) prev[after] = pos;
      const before = prev[pos]!;
      if (before >= 0) {
        const r = this.pairs.get(ids[before]!, ids[pos]!);
        if (r >= 0) push(r * n + before);
      }
      if (after >= 0) {
        const r = this.pairs.get(ids[pos]!, ids[after]!);
        if (r >= 0) push(r * n + pos);
      }
    }
    for (let k = 0; k >= 0; k = next[k]!) out.push(ids[k]!);
  }
}

/** Builds a BPE model from its tokenizer.json object. */
export function bpeFromJSON(value: unknown, path = 'model'): BpeModel {
  const obj = readObject(value, path);
  const vocabObj = readObject(obj.vocab, `${path}.vocab`);
  const vocab = new Map<string, number>();
  for (const token of Object.keys(vocabObj)) {
    const id = vocabObj[token];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_TOKEN_ID) {
      fail(`${path}.vocab[${JSON.stringify(token)}]`, `an integer id in [0, ${MAX_TOKEN_ID}]`, id);
    }
    vocab.set(token, id);
  }
  const rawMerges = readArray(obj.merges ?? [], `${path}.merges`);
  const merges: Array<[string, string]> = [];
  for (let k = 0; k < rawMerges.length; k++) {
    const m = rawMerges[k];
    if (typeof m === 'string') {
      if (m.startsWith('#version')) continue;
      const parts = m.split(' ');
      if (parts.length !== 2) fail(`${path}.merges[${k}]`, 'a string "a b" with exactly one space', m);
      merges.push([parts[0]!, parts[1]!]);
    } else if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
      merges.push([m[0], m[1]]);
    } else {
      fail(`${path}.merges[${k}]`, 'a string "a b" or a pair [a, b] of strings', m);
    }
  }
  if (obj.dropout !== undefined && obj.dropout !== null && obj.dropout !== 0) {
    fail(
      `${path}.dropout`,
      'null or 0 (BPE dropout is not supported: encoding must be deterministic)',
      obj.dropout,
    );
  }
  const options: BpeOptions = {
    fuseUnk: readBoolean(obj.fuse_unk, `${path}.fuse_unk`, false),
    byteFallback: readBoolean(obj.byte_fallback, `${path}.byte_fallback`, false),
    ignoreMerges: readBoolean(obj.ignore_merges, `${path}.ignore_merges`, false),
  };
  const unk = readOptionalString(obj.unk_token, `${path}.unk_token`);
  const prefix = readOptionalString(obj.continuing_subword_prefix, `${path}.continuing_subword_prefix`);
  const suffix = readOptionalString(obj.end_of_word_suffix, `${path}.end_of_word_suffix`);
  if (unk !== undefined) options.unkToken = unk;
  if (prefix !== undefined) options.continuingSubwordPrefix = prefix;
  if (suffix !== undefined) options.endOfWordSuffix = suffix;
  if (!isObject(obj)) fail(path, 'an object', obj);
  return new BpeModel(vocab, merges, options, path);
}
