// Sets of code points for the regex matcher, defined by a v-mode class source (so a class means
// exactly what the JavaScript engine's Unicode tables say) and tested through a bitmap built
// per 1024-code-point block on first use. Shared by source across patterns and tokenizers.
import { UnsupportedPatternError } from './errors';

const BLOCK_BITS = 10;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const BLOCKS = 0x110000 >> BLOCK_BITS;
/** How many distinct classes are kept before the cache starts over (they rebuild on demand). */
const CACHE_LIMIT = 4096;

/** One code point class. `has` must only see scalar values (no surrogates). */
export class CharSet {
  private readonly blocks: Array<Uint8Array | undefined> = new Array(BLOCKS);
  private readonly runs: RegExp;
  /** Membership of U+0000..U+007F. */
  readonly ascii: Uint8Array;
  constructor(readonly source: string) {
    this.runs = new RegExp(`${source}+`, 'gv');
    this.ascii = new Uint8Array(128);
    for (let c = 0; c < 128; c++) this.ascii[c] = this.has(c) ? 1 : 0;
  }

  has(cp: number): boolean {
    const block = this.blocks[cp >> BLOCK_BITS] ?? this.build(cp >> BLOCK_BITS);
    return (block[(cp & (BLOCK_SIZE - 1)) >> 3]! & (1 << (cp & 7))) !== 0;
  }

  private build(index: number): Uint8Array {
    const first = index << BLOCK_BITS;
    const chars: string[] = [];
    // Surrogate code points never reach `has`; a NUL stands in for them and is not recorded.
    for (let i = 0; i < BLOCK_SIZE; i++) {
      const cp = first + i;
      chars.push(cp >= 0xd800 && cp <= 0xdfff ? '\0' : String.fromCodePoint(cp));
    }
    const text = chars.join('');
    const bits = new Uint8Array(BLOCK_SIZE >> 3);
    this.runs.lastIndex = 0;
    for (let m = this.runs.exec(text); m !== null; m = this.runs.exec(text)) {
      let offset = m.index;
      const end = offset + m[0].length;
      while (offset < end) {
        const cp = text.codePointAt(offset)!;
        offset += cp > 0xffff ? 2 : 1;
        const at = cp === 0 && first !== 0 ? -1 : cp - first;
        if (at >= 0) bits[at >> 3]! |= 1 << (at & 7);
      }
    }
    this.blocks[index] = bits;
    return bits;
  }
}

const cache = new Map<string, CharSet>();

/** The set of a v-mode class source; a source JavaScript rejects is an `UnsupportedPatternError`. */
export function charSet(source: string, pattern: string, path: string): CharSet {
  let set = cache.get(source);
  if (set === undefined) {
    try {
      set = new CharSet(source);
    } catch (error) {
      throw new UnsupportedPatternError(
        `Tokenizer.fromJSON: ${path} must be an onig regex this package can run exactly, got a class JavaScript rejects (${(error as Error).message}) in ${JSON.stringify(pattern)}`,
        path,
      );
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(source, set);
  }
  return set;
}
