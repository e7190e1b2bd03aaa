// Cache of model output per pre-tokenized piece, looked up by a range of the text (no substring
// is made on a hit): open addressing on an FNV-1a hash, the key string checked with startsWith.

const EMPTY = -1;

/** Piece -> ids cache with a bounded number of entries (cleared when full). */
export class PieceCache {
  private keys: string[];
  private hashes: Int32Array;
  private values: number[][];
  private readonly mask: number;
  private count = 0;

  constructor(readonly capacity = 1 << 17) {
    this.keys = new Array<string>(capacity).fill('');
    this.hashes = new Int32Array(capacity).fill(EMPTY);
    this.values = new Array<number[]>(capacity);
    this.mask = capacity - 1;
  }

  /** FNV-1a hash of `text[start, end)` (never EMPTY). */
  static hash(text: string, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    return h === EMPTY ? 0 : h;
  }

  /** The ids of the piece `text[start, end)` with hash `h`, or undefined. */
  get(text: string, start: number, end: number, h: number): number[] | undefined {
    const length = end - start;
    for (let k = h & this.mask; ; k = (k + 1) & this.mask) {
      const stored = this.hashes[k]!;
      if (stored === EMPTY) return undefined;
      if (stored === h) {
        const key = this.keys[k]!;
        if (key.length === length && text.startsWith(key, start)) return this.values[k];
      }
    }
  }

  /** Stores the ids of `key` (hash `h`); clears everything first when 3/4 full. */
  set(key: string, h: number, ids: number[]): void {
    if (this.count * 4 >= this.capacity * 3) {
      this.hashes.fill(EMPTY);
      this.keys.fill('');
      this.values = new Array<number[]>(this.capacity);
      this.count = 0;
    }
    let k = h & this.mask;
    while (this.hashes[k] !== EMPTY) k = (k + 1) & this.mask;
    this.hashes[k] = h;
    this.keys[k] = key;
    this.values[k] = ids;
    this.count++;
  }
}
