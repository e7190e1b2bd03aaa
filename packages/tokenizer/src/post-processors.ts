// Post-processors: add special tokens around one sequence (or a pair) when
// `addSpecialTokens` is set. ByteLevel only fixes offsets in `tokenizers`, so it keeps the ids.
import { UnsupportedComponentError } from './errors';
import {
  checkSequenceDepth,
  fail,
  type JsonObject,
  readArray,
  readInteger,
  readObject,
  readString,
  readType,
  MAX_TOKEN_ID,
} from './json';

/**
 * A post-processor maps the ids of the sequences ([A] or [A, B]) to new sequences, usually one
 * joined sequence with special tokens; the tokenizer concatenates what comes out.
 */
export interface PostProcessor {
  process(sequences: number[][], addSpecialTokens: boolean): number[][];
  /** How many special ids `process` adds (truncation leaves room for them). */
  addedTokens(isPair: boolean): number;
}

/** `ByteLevel`: ids unchanged (it only trims offsets). */
export class ByteLevelPostProcessor implements PostProcessor {
  process(sequences: number[][]): number[][] {
    return sequences;
  }
  addedTokens(): number {
    return 0;
  }
}

/** One piece of a template: a special token's ids, or sequence A / B. */
export type TemplatePiece = { kind: 'special'; ids: number[] } | { kind: 'sequence'; sequence: 'A' | 'B' };

/** `TemplateProcessing`: `single` and `pair` templates of special tokens and sequences. */
export class TemplatePostProcessor implements PostProcessor {
  constructor(
    readonly single: TemplatePiece[],
    readonly pair: TemplatePiece[],
  ) {}
  addedTokens(isPair: boolean): number {
    let count = 0;
    for (const piece of isPair ? this.pair : this.single)
      if (piece.kind === 'special') count += piece.ids.length;
    return count;
  }
  process(sequences: number[][], addSpecialTokens: boolean): number[][] {
    const [a, b] = sequences;
    const template = b === undefined ? this.single : this.pair;
    const out: number[] = [];
    for (const piece of template) {
      if (piece.kind === 'special') {
        if (addSpecialTokens) out.push(...piece.ids);
      } else {
        const ids = piece.sequence === 'A' ? a : b;
        if (ids) for (const id of ids) out.push(id);
      }
    }
    return [out];
  }
}

/** `BertProcessing` / `RobertaProcessing`: `cls A sep` and `cls A sep (sep) B sep`. */
export class BertPostProcessor implements PostProcessor {
  constructor(
    readonly cls: number,
    readonly sep: number,
    readonly doubleSeparator: boolean,
  ) {}
  addedTokens(isPair: boolean): number {
    return isPair ? (this.doubleSeparator ? 4 : 3) : 2;
  }
  process(sequences: number[][], addSpecialTokens: boolean): number[][] {
    const [a = [], b] = sequences;
    if (!addSpecialTokens) return [b === undefined ? a : a.concat(b)];
    const out = [this.cls, ...a, this.sep];
    if (b !== undefined) {
      if (this.doubleSeparator) out.push(this.sep);
      out.push(...b, this.sep);
    }
    return [out];
  }
}

/** `Sequence`: applies its processors in order. */
export class SequencePostProcessor implements PostProcessor {
  constructor(readonly processors: readonly PostProcessor[]) {}
  addedTokens(isPair: boolean): number {
    return this.processors.reduce((sum, p) => sum + p.addedTokens(isPair), 0);
  }
  process(sequences: number[][], addSpecialTokens: boolean): number[][] {
    let out = sequences;
    for (const processor of this.processors) out = processor.process(out, addSpecialTokens);
    return out;
  }
}

function readTemplate(value: unknown, path: string, specials: Map<string, number[]>): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  const items =
    typeof value === 'string' ? value.split(' ').filter((s) => s.length > 0) : readArray(value, path);
  items.forEach((item, k) => {
    const p = `${path}[${k}]`;
    if (typeof item === 'string') {
      const name = item.replace(/:\d+$/, '');
      if (name === '$A' || name === '$B' || name === '$' || name === '$0' || name === '$1') {
        pieces.push({ kind: 'sequence', sequence: name === '$B' || name === '$1' ? 'B' : 'A' });
        return;
      }
      const ids = specials.get(name);
      if (!ids) fail(p, 'a special token listed in special_tokens', name);
      pieces.push({ kind: 'special', ids });
      return;
    }
    const obj = readObject(item, p);
    if (obj.Sequence !== undefined) {
      const id = readString(readObject(obj.Sequence, `${p}.Sequence`).id, `${p}.Sequence.id`);
      if (id !== 'A' && id !== 'B') fail(`${p}.Sequence.id`, '"A" or "B"', id);
      pieces.push({ kind: 'sequence', sequence: id });
    } else {
      const name = readString(readObject(obj.SpecialToken, `${p}.SpecialToken`).id, `${p}.SpecialToken.id`);
      const ids = specials.get(name);
      if (!ids) fail(`${p}.SpecialToken.id`, 'a special token listed in special_tokens', name);
      pieces.push({ kind: 'special', ids });
    }
  });
  return pieces;
}

function readTokenPair(value: unknown, path: string): number {
  const pair = readArray(value, path);
  if (pair.length !== 2) fail(path, 'a pair [token, id]', value);
  return readInteger(pair[1], `${path}[1]`, 0, MAX_TOKEN_ID);
}

const SUPPORTED = ['ByteLevel', 'TemplateProcessing', 'BertProcessing', 'RobertaProcessing', 'Sequence'];

/** Builds a post-processor from its tokenizer.json object (`null` gives `undefined`). */
export function postProcessorFromJSON(
  value: unknown,
  path = 'post_processor',
  depth = 0,
): PostProcessor | undefined {
  if (value === null || value === undefined) return undefined;
  const obj: JsonObject = readObject(value, path);
  const type = readType(obj, path);
  switch (type) {
    case 'ByteLevel':
      return new ByteLevelPostProcessor();
    case 'TemplateProcessing': {
      const specials = new Map<string, number[]>();
      const specialObj = readObject(obj.special_tokens ?? {}, `${path}.special_tokens`);
      for (const [name, entry] of Object.entries(specialObj)) {
        const p = `${path}.special_tokens[${JSON.stringify(name)}]`;
        const ids = readArray(readObject(entry, p).ids, `${p}.ids`).map((id, k) =>
          readInteger(id, `${p}.ids[${k}]`, 0, MAX_TOKEN_ID),
        );
        specials.set(name, ids);
      }
      return new TemplatePostProcessor(
        readTemplate(obj.single, `${path}.single`, specials),
        readTemplate(obj.pair, `${path}.pair`, specials),
      );
    }
    case 'BertProcessing':
    case 'RobertaProcessing':
      return new BertPostProcessor(
        readTokenPair(obj.cls, `${path}.cls`),
        readTokenPair(obj.sep, `${path}.sep`),
        type === 'RobertaProcessing',
      );
    case 'Sequence': {
      checkSequenceDepth(depth, path);
      const items = readArray(obj.processors, `${path}.processors`);
      const processors: PostProcessor[] = [];
      items.forEach((item, k) => {
        const processor = postProcessorFromJSON(item, `${path}.processors[${k}]`, depth + 1);
        if (processor) processors.push(processor);
      });
      return new SequencePostProcessor(processors);
    }
    default:
      throw new UnsupportedComponentError('post_processor', type, path, SUPPORTED);
  }
}
