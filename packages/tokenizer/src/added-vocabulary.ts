// Added tokens (special and not): id assignment as `AddedVocabulary::add_tokens`, and the
// leftmost-longest matching with `single_word` / `lstrip` / `rstrip` that splits the text
// before the model: non-normalized tokens on the raw text, normalized ones after normalization.
import type { BpeModel } from './bpe';
import { fail, readArray, readBoolean, readObject, readString } from './json';
import type { Normalizer } from './normalizers';
import { escapeRegExp } from './pattern';
import { LiteralSetMatcher } from './literal-set';
import { RUST_WORD_BODY, spaceRunEnd, spaceRunStart } from './unicode';

/** An added token as declared in tokenizer.json `added_tokens`. */
export interface AddedToken {
  /** The id `tokenizers` assigns (the model's id when the content is in its vocab). */
  id: number;
  content: string;
  special: boolean;
  normalized: boolean;
  lstrip: boolean;
  rstrip: boolean;
  singleWord: boolean;
}

/** Pieces of a split: `texts[k]` with `ids[k]` the added token id, or -1 for plain text. */
export interface Segments {
  texts: string[];
  ids: number[];
}

const wordChar = new RegExp(`^${RUST_WORD_BODY}$`, 'v');
/**
 * Token sets whose alternation source is longer than this use `LiteralSetMatcher` instead of a
 * RegExp: engines refuse large ones (V8: a single literal of ~32K code units), and only when the
 * RegExp first runs, with a SyntaxError.
 */
const MAX_ALTERNATION_SOURCE = 16_384;

function endsWithWord(text: string, end: number): boolean {
  if (end === 0) return false;
  const c = text.charCodeAt(end - 1);
  const start = c >= 0xdc00 && c <= 0xdfff && end >= 2 ? end - 2 : end - 1;
  return wordChar.test(text.slice(start, end));
}

function startsWithWord(text: string, start: number): boolean {
  if (start >= text.length) return false;
  return wordChar.test(String.fromCodePoint(text.codePointAt(start)!));
}

/** A RegExp alternation of the tokens (longest first), when the engine takes it; else undefined. */
function alternation(patterns: string[]): RegExp | undefined {
  const source = patterns.map(escapeRegExp).join('|');
  if (source.length > MAX_ALTERNATION_SOURCE) return undefined;
  try {
    const regex = new RegExp(source, 'gu');
    regex.exec(patterns[0]!); // engines compile on first use: fail here, not in encode
    regex.lastIndex = 0;
    return regex;
  } catch {
    return undefined;
  }
}

/** Matches a set of added tokens in a string, leftmost-longest. */
export class AddedTokenMatcher {
  private readonly regex: RegExp;
  private readonly byPattern: Map<string, AddedToken>;
  constructor(byPattern: Map<string, AddedToken>) {
    this.byPattern = byPattern;
    // Longest first: at a given start, JavaScript takes the first alternative that matches.
    const patterns = [...byPattern.keys()].sort((a, b) => b.length - a.length);
    // The automaton has the same exec() contract.
    this.regex = alternation(patterns) ?? (new LiteralSetMatcher(patterns) as unknown as RegExp);
  }

  /** Appends the segments of `sentence` to `out` (empty segments are dropped). */
  split(sentence: string, out: Segments): void {
    const n = sentence.length;
    if (n === 0) return;
    const regex = this.regex;
    regex.lastIndex = 0;
    let offset = 0;
    for (let m = regex.exec(sentence); m !== null; m = regex.exec(sentence)) {
      let start = m.index;
      let stop = start + m[0].length;
      const token = this.byPattern.get(m[0])!;
      if (token.singleWord) {
        const startSpace = start === 0 || !endsWithWord(sentence, start);
        const stopSpace = stop === n || !startsWithWord(sentence, stop);
        if (!startSpace || !stopSpace) continue;
      }
      if (token.lstrip) start = spaceRunStart(sentence, start, offset);
      if (token.rstrip) stop = spaceRunEnd(sentence, stop);
      if (offset < start) {
        out.texts.push(sentence.slice(offset, start));
        out.ids.push(-1);
      }
      out.texts.push(sentence.slice(start, stop));
      out.ids.push(token.id);
      offset = stop;
    }
    if (offset !== n) {
      out.texts.push(sentence.slice(offset));
      out.ids.push(-1);
    }
  }
}

/** The added vocabulary of a tokenizer. */
export class AddedVocabulary {
  /** Content to id. */
  readonly tokenToIdMap = new Map<string, number>();
  /** Id to token. */
  readonly idToTokenMap = new Map<number, AddedToken>();
  /** Normalized content of normalized tokens whose normalization changes them. */
  readonly normalizedContent = new Map<number, string>();
  /** Contents of special tokens. */
  readonly specialContents = new Set<string>();
  /** Matcher of the tokens with `normalized: false` (run on the raw text). */
  readonly rawMatcher: AddedTokenMatcher | undefined;
  /** Matcher of the tokens with `normalized: true` (run on normalized text). */
  readonly normalizedMatcher: AddedTokenMatcher | undefined;

  constructor(tokens: Array<Omit<AddedToken, 'id'>>, model: BpeModel, normalizer: Normalizer | undefined) {
    let nextId = model.size;
    for (const token of tokens) {
      if (token.content.length === 0) continue;
      const existing = this.tokenToIdMap.get(token.content);
      if (existing !== undefined && sameToken(this.idToTokenMap.get(existing), token)) continue;
      const id = existing ?? model.vocab.get(token.content) ?? nextId++;
      if (token.normalized && normalizer) {
        const normalized = normalizer.normalize(token.content);
        if (normalized !== token.content) this.normalizedContent.set(id, normalized);
      }
      this.tokenToIdMap.set(token.content, id);
      if (token.special) this.specialContents.add(token.content);
      this.idToTokenMap.set(id, { ...token, id });
    }
    const raw = new Map<string, AddedToken>();
    const normalized = new Map<string, AddedToken>();
    for (const [id, token] of this.idToTokenMap) {
      if (token.normalized) {
        const pattern = this.normalizedContent.get(id) ?? token.content;
        if (pattern.length > 0 && !normalized.has(pattern)) normalized.set(pattern, token);
      } else if (!raw.has(token.content)) raw.set(token.content, token);
    }
    this.rawMatcher = raw.size > 0 ? new AddedTokenMatcher(raw) : undefined;
    this.normalizedMatcher = normalized.size > 0 ? new AddedTokenMatcher(normalized) : undefined;
  }

  /** The token string `decode` uses for an added id (normalized content when it differs). */
  idToToken(id: number): string | undefined {
    const token = this.idToTokenMap.get(id);
    if (token === undefined) return undefined;
    return this.normalizedContent.get(id) ?? token.content;
  }
}

function sameToken(a: AddedToken | undefined, b: Omit<AddedToken, 'id'>): boolean {
  return (
    a !== undefined &&
    a.content === b.content &&
    a.special === b.special &&
    a.normalized === b.normalized &&
    a.lstrip === b.lstrip &&
    a.rstrip === b.rstrip &&
    a.singleWord === b.singleWord
  );
}

/** Reads `added_tokens` (absent or null: none). */
export function addedTokensFromJSON(value: unknown, path = 'added_tokens'): Array<Omit<AddedToken, 'id'>> {
  if (value === undefined || value === null) return [];
  return readArray(value, path).map((item, k) => {
    const p = `${path}[${k}]`;
    const obj = readObject(item, p);
    const special = readBoolean(obj.special, `${p}.special`, false);
    if (obj.id !== undefined && (typeof obj.id !== 'number' || !Number.isInteger(obj.id) || obj.id < 0)) {
      fail(`${p}.id`, 'a non-negative integer', obj.id);
    }
    return {
      content: readString(obj.content, `${p}.content`),
      special,
      normalized: readBoolean(obj.normalized, `${p}.normalized`, !special),
      lstrip: readBoolean(obj.lstrip, `${p}.lstrip`, false),
      rstrip: readBoolean(obj.rstrip, `${p}.rstrip`, false),
      singleWord: readBoolean(obj.single_word, `${p}.single_word`, false),
    };
  });
}
