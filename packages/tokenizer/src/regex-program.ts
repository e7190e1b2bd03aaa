// A parsed onig pattern compiled to a backtracking program (instructions in typed arrays) for
// regex-match.ts, with the facts its memoization needs: which instructions join several paths
// (memo slots), which loops can repeat empty (onig's empty check), what a match can start with.
import { type CharSet, charSet } from './char-set';
import { UnsupportedPatternError } from './errors';
import { type AssertKind, ONIG_WORD_BODY, type RegexNode } from './regex-parse';

/** Patterns compile to at most this many instructions (repetitions like `a{1000}` expand). */
export const MAX_PROGRAM_SIZE = 50_000;
/** First-character classes longer than this (a huge alternation) are not used as split guards. */
const MAX_GUARD_SOURCE = 4096;

/** Match one code point `b`, then go to `a`. */
export const OP_CHAR = 0;
/** Match one code point of set `b`, then go to `a`. */
export const OP_SET = 1;
/** Try `a`; on failure, `b`. `c` >= 0: set `c` holds every code point `a` can start with (else `a` fails at once). */
export const OP_SPLIT = 2;
/** Zero-width assertion `b` (ASSERT_*), then `a`. */
export const OP_ASSERT = 3;
/** Look-around `b` (index into `looks`), then `a`. */
export const OP_LOOK = 4;
/** End of a look-around body: it matched (a look-behind also needs to end at its start). */
export const OP_LOOK_END = 5;
/** Save the position in register `b` (start of an iteration of a loop that may repeat empty), then `a`. */
export const OP_SAVE = 6;
/** End of such an iteration: an empty one leaves the loop (`c`), as onig does; else `a` (the loop). */
export const OP_EMPTY_CHECK = 7;
/** Greedy `set*` (`c` = 0) or `set+` (`c` = 1) over set `b`, then `a`; backtracks one code point at a time. */
export const OP_RUN = 8;
/** The whole pattern matched. */
export const OP_MATCH = 9;

export const ASSERT_KINDS: readonly AssertKind[] = [
  'lineStart',
  'lineEnd',
  'textStart',
  'textEnd',
  'textEndNewline',
  'wordBoundary',
  'notWordBoundary',
];

let wordSet: CharSet | undefined;

function isWordAt(text: string, pos: number): boolean {
  if (pos < 0 || pos >= text.length) return false;
  wordSet ??= charSet(`[${ONIG_WORD_BODY}]`, '\\w', 'onig \\w');
  return wordSet.has(text.codePointAt(pos)!);
}

/** Whether assertion `kind` (an index of ASSERT_KINDS) holds at `pos` of `text`, as in onig. */
export function assertHolds(kind: number, text: string, pos: number): boolean {
  const n = text.length;
  switch (kind) {
    case 0: // ^: not at the end of the text, even after a newline
      return pos === 0 || (text.charCodeAt(pos - 1) === 10 && pos !== n);
    case 1: // $
      return pos === n || text.charCodeAt(pos) === 10;
    case 2: // \A
      return pos === 0;
    case 3: // \z
      return pos === n;
    case 4: // \Z
      return pos === n || (pos === n - 1 && text.charCodeAt(pos) === 10);
    default: {
      const low = text.charCodeAt(pos - 1);
      const before = pos - (pos >= 2 && low >= 0xdc00 && low <= 0xdfff ? 2 : 1);
      const boundary = isWordAt(text, before) !== isWordAt(text, pos);
      return kind === 5 ? boundary : !boundary;
    }
  }
}

/** A look-around: body at `entry`; a look-behind body is tried from `maxBack`..`minBack` code points back. */
export interface Look {
  entry: number;
  behind: boolean;
  negate: boolean;
  minBack: number;
  maxBack: number;
}

/** A compiled pattern. */
export interface Program {
  op: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  /** First memo slot of each instruction (-1: none): failures from (instruction, position, state) are recorded. */
  memo: Int32Array;
  slots: number;
  /**
   * Inside a loop whose body can match empty, what follows an instruction depends on whether
   * the iteration (and the enclosing ones) has matched nothing yet: onig then leaves the loop.
   * That is the memo state: how many of the instruction's guard registers (`guardRegisters`
   * from `guardStart`, `guardCount` of them, innermost first) still hold the position.
   */
  guardStart: Int32Array;
  guardCount: Int32Array;
  guardRegisters: Int32Array;
  registers: number;
  sets: CharSet[];
  looks: Look[];
  entry: number;
  /** The code points a match can start with, when the pattern cannot match empty. */
  first: CharSet | undefined;
}

/** Whether `node` can match the empty string. */
export function nullable(node: RegexNode): boolean {
  switch (node.type) {
    case 'char':
    case 'set':
      return false;
    case 'seq':
      return node.items.every(nullable);
    case 'alt':
      return node.items.some(nullable);
    case 'repeat':
      return node.min === 0 || nullable(node.body);
    case 'look':
    case 'assert':
      return true;
  }
}

/** Shortest and longest match of `node` in code points (Infinity when unbounded). */
function lengths(node: RegexNode): [number, number] {
  switch (node.type) {
    case 'char':
    case 'set':
      return [1, 1];
    case 'seq':
      return node.items.map(lengths).reduce(([a, b], [c, d]) => [a + c, b + d], [0, 0]);
    case 'alt': {
      const all = node.items.map(lengths);
      return [Math.min(...all.map((l) => l[0])), Math.max(...all.map((l) => l[1]))];
    }
    case 'repeat': {
      const [lo, hi] = lengths(node.body);
      return [lo * node.min, hi === 0 ? 0 : hi * node.max];
    }
    case 'look':
    case 'assert':
      return [0, 0];
  }
}

/** A v-mode class of the code points `node` can start with, or undefined when unknown/empty-able. */
function firstSource(node: RegexNode): string | undefined {
  switch (node.type) {
    case 'char':
      return `[\\u{${node.cp.toString(16)}}]`;
    case 'set':
      return node.source;
    case 'seq': {
      const parts: string[] = [];
      for (const item of node.items) {
        if (item.type === 'look' || item.type === 'assert') continue;
        const s = firstSource(item);
        if (s === undefined) return undefined;
        parts.push(s);
        if (!nullable(item)) return parts.length === 1 ? parts[0] : `[${parts.join('')}]`;
      }
      return undefined;
    }
    case 'alt': {
      const parts = node.items.map(firstSource);
      return parts.every((s) => s !== undefined) ? `[${parts.join('')}]` : undefined;
    }
    case 'repeat':
      return node.min === 0 ? undefined : firstSource(node.body);
    case 'look':
    case 'assert':
      return undefined;
  }
}

interface Context {
  /** False in a look-behind body, where failures also depend on where the body must end. */
  memoizable: boolean;
  /** Registers of the enclosing loops that can repeat empty, innermost first (see `Program.guards`). */
  guards: number[];
}

class Compiler {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  c: number[] = [];
  canMemo: boolean[] = [];
  guards: number[][] = [];
  sets: CharSet[] = [];
  private readonly setIndex = new Map<string, number>();
  looks: Look[] = [];
  registers = 0;
  constructor(
    private readonly pattern: string,
    private readonly path: string,
  ) {}

  emit(op: number, a: number, b: number, c: number, ctx: Context): number {
    if (this.op.length >= MAX_PROGRAM_SIZE) {
      throw new UnsupportedPatternError(
        `Tokenizer.fromJSON: ${this.path} must be a regex of at most ${MAX_PROGRAM_SIZE} steps once repetitions are expanded, got more for ${JSON.stringify(this.pattern.slice(0, 200))}; write large counts as * or +`,
        this.path,
      );
    }
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    this.c.push(c);
    this.canMemo.push(ctx.memoizable);
    this.guards.push(ctx.guards);
    return this.op.length - 1;
  }

  set(source: string): number {
    let index = this.setIndex.get(source);
    if (index === undefined) {
      index = this.sets.length;
      this.sets.push(charSet(source, this.pattern, this.path));
      this.setIndex.set(source, index);
    }
    return index;
  }

  /** Code of `node` that continues at `next`; returns its entry. */
  node(node: RegexNode, next: number, ctx: Context): number {
    switch (node.type) {
      case 'char':
        return this.emit(OP_CHAR, next, node.cp, 0, ctx);
      case 'set':
        return this.emit(OP_SET, next, this.set(node.source), 0, ctx);
      case 'seq': {
        let entry = next;
        for (let k = node.items.length - 1; k >= 0; k--) entry = this.node(node.items[k]!, entry, ctx);
        return entry;
      }
      case 'alt': {
        const entries = node.items.map((item) => this.node(item, next, ctx));
        let entry = entries[entries.length - 1]!;
        for (let k = entries.length - 2; k >= 0; k--) {
          entry = this.emit(OP_SPLIT, entries[k]!, entry, this.guard(node.items[k]!), ctx);
        }
        return entry;
      }
      case 'repeat':
        return this.repeat(node, next, ctx);
      case 'look': {
        const end = this.emit(OP_LOOK_END, 0, 0, 0, ctx);
        const [minBack, maxBack] = lengths(node.body);
        // A look-behind body must end where the look-behind is: failures there depend on that too.
        const entry = this.node(node.body, end, { memoizable: ctx.memoizable && !node.behind, guards: [] });
        this.looks.push({ entry, behind: node.behind, negate: node.negate, minBack, maxBack });
        return this.emit(OP_LOOK, next, this.looks.length - 1, 0, ctx);
      }
      case 'assert':
        return this.emit(OP_ASSERT, next, ASSERT_KINDS.indexOf(node.kind), 0, ctx);
    }
  }

  private repeat(node: Extract<RegexNode, { type: 'repeat' }>, next: number, ctx: Context): number {
    const { body, min, max, greedy } = node;
    let entry = next;
    if (max === Number.POSITIVE_INFINITY) {
      const single = body.type === 'char' || body.type === 'set';
      if (single && greedy && min >= 1) {
        const set = this.set(body.type === 'set' ? body.source : `[\\u{${body.cp.toString(16)}}]`);
        entry = this.emit(OP_RUN, next, set, 1, ctx);
      } else if (single && greedy) {
        const set = this.set(body.type === 'set' ? body.source : `[\\u{${body.cp.toString(16)}}]`);
        entry = this.emit(OP_RUN, next, set, 0, ctx);
      } else {
        entry = this.loop(body, next, greedy, ctx);
      }
      for (let k = 0; k < (single && greedy ? min - 1 : min); k++) entry = this.node(body, entry, ctx);
      return entry;
    }
    for (let k = 0; k < max - min; k++) {
      const inner = this.node(body, entry, ctx);
      entry = greedy
        ? this.emit(OP_SPLIT, inner, next, this.guard(body), ctx)
        : this.emit(OP_SPLIT, next, inner, -1, ctx);
    }
    for (let k = 0; k < min; k++) entry = this.node(body, entry, ctx);
    return entry;
  }

  /** `body*` (greedy or lazy): a split that enters the body or leaves, the body jumping back. */
  private loop(body: RegexNode, next: number, greedy: boolean, ctx: Context): number {
    const head = this.emit(OP_SPLIT, 0, 0, 0, ctx);
    let bodyEntry: number;
    if (nullable(body)) {
      // onig's empty check: an iteration that matched nothing leaves the loop.
      const register = this.registers++;
      const inner: Context = { memoizable: ctx.memoizable, guards: [register, ...ctx.guards] };
      const check = this.emit(OP_EMPTY_CHECK, head, register, next, inner);
      bodyEntry = this.emit(OP_SAVE, this.node(body, check, inner), register, 0, ctx);
    } else {
      bodyEntry = this.node(body, head, ctx);
    }
    this.a[head] = greedy ? bodyEntry : next;
    this.b[head] = greedy ? next : bodyEntry;
    this.c[head] = greedy ? this.guard(body) : -1;
    return head;
  }

  /** The set index of what `node` can start with, for a split that tries it first (-1: unknown). */
  private guard(node: RegexNode): number {
    if (nullable(node)) return -1;
    const source = firstSource(node);
    return source === undefined || source.length > MAX_GUARD_SOURCE ? -1 : this.set(source);
  }
}

/** Compiles a parsed pattern (`pattern` and `path` name it in errors). */
export function compileProgram(root: RegexNode, pattern: string, path: string): Program {
  const compiler = new Compiler(pattern, path);
  const all: Context = { memoizable: true, guards: [] };
  const match = compiler.emit(OP_MATCH, 0, 0, 0, all);
  const entry = compiler.node(root, match, all);
  const size = compiler.op.length;
  const op = Uint8Array.from(compiler.op);
  const a = Int32Array.from(compiler.a);
  const b = Int32Array.from(compiler.b);
  const c = Int32Array.from(compiler.c);
  // Instructions reached from several places (joins, loop heads) get memo slots; a run always
  // does (it stands for a loop). Matching then never explores one (instruction, position) twice.
  const indegree = new Int32Array(size);
  for (let pc = 0; pc < size; pc++) {
    const kind = op[pc]!;
    if (kind === OP_LOOK_END || kind === OP_MATCH) continue;
    indegree[a[pc]!]!++;
    if (kind === OP_SPLIT) indegree[b[pc]!]!++;
    if (kind === OP_EMPTY_CHECK) indegree[c[pc]!]!++;
  }
  const memo = new Int32Array(size).fill(-1);
  const guardStart = new Int32Array(size);
  const guardCount = new Int32Array(size);
  const guardRegisters: number[] = [];
  let slots = 0;
  for (let pc = 0; pc < size; pc++) {
    const kind = op[pc]!;
    if (!compiler.canMemo[pc] || kind === OP_MATCH || kind === OP_LOOK_END) continue;
    if (indegree[pc]! > 1 || kind === OP_RUN || kind === OP_EMPTY_CHECK) {
      const guards = compiler.guards[pc]!;
      memo[pc] = slots;
      slots += guards.length + 1;
      guardStart[pc] = guardRegisters.length;
      guardCount[pc] = guards.length;
      guardRegisters.push(...guards);
    }
  }
  const firstClass = nullable(root) ? undefined : firstSource(root);
  return {
    op,
    a,
    b,
    c,
    memo,
    slots,
    guardStart,
    guardCount,
    guardRegisters: Int32Array.from(guardRegisters),
    registers: compiler.registers,
    sets: compiler.sets,
    looks: compiler.looks,
    entry,
    first: firstClass === undefined ? undefined : charSet(firstClass, pattern, path),
  };
}
