// The backtracking matcher of compiled onig patterns: leftmost-first like Oniguruma, but with
// memoized failures (as RE2's BitState) so that nested quantifiers such as (a+)+$ or (a|a)*b run
// in linear time, and a step limit (like onig's retry-limit-in-match) for what memos cannot cover.
import { UnsupportedPatternError } from './errors';
import * as ops from './regex-program';
import { assertHolds, type Program } from './regex-program';

// Module-local copies of the opcodes: module runners (vitest's) turn each use of an imported
// binding into a property read of the module object, once per instruction in the loop below.
const OP_CHAR = ops.OP_CHAR;
const OP_SET = ops.OP_SET;
const OP_SPLIT = ops.OP_SPLIT;
const OP_ASSERT = ops.OP_ASSERT;
const OP_LOOK = ops.OP_LOOK;
const OP_LOOK_END = ops.OP_LOOK_END;
const OP_SAVE = ops.OP_SAVE;
const OP_EMPTY_CHECK = ops.OP_EMPTY_CHECK;
const OP_RUN = ops.OP_RUN;
const OP_MATCH = ops.OP_MATCH;

/**
 * Work limit of matching one text, in steps (an instruction run or one backtrack): this base,
 * Oniguruma's default retry-limit-in-match, plus REGEX_STEPS_PER_CHAR per character of text for
 * each instruction and memo slot of the pattern (and 8 more). Memoized matching explores each
 * (instruction, position, state) once, so it stays below that; what can exceed it are
 * look-behinds (matched without memos) on long texts: an `UnsupportedPatternError`.
 */
export const REGEX_STEP_LIMIT = 10_000_000;
/** See REGEX_STEP_LIMIT. */
export const REGEX_STEPS_PER_CHAR = 8;
/** Memo bitmaps above this many bits are not kept: matching then relies on the step limit. */
const MAX_MEMO_BITS = 2 ** 28;
/**
 * Memoization starts once a text has taken this many steps per character: ordinary patterns
 * never get there and skip its cost; the work before it is linear too.
 */
const MEMO_AFTER_STEPS_PER_CHAR = 32;

const FRAME_RESUME = 0;
const FRAME_MARK = 1;
const FRAME_MARK_RANGE = 2;
const FRAME_RUN = 3;
const FRAME_RESTORE = 4;

/** Searches one compiled pattern in a text: `begin(text)`, then `search(from)` as often as needed. */
export class RegexMatcher {
  /** Bounds of the last match found by `search`. */
  matchStart = 0;
  matchEnd = 0;
  /** Steps per character after which memoization starts (tests set 0 to memoize from the start). */
  memoAfterStepsPerChar = MEMO_AFTER_STEPS_PER_CHAR;
  private stack = new Int32Array(256);
  private sp = 0;
  private memo: Uint8Array = new Uint8Array(0);
  private memoBytes = 0;
  private memoOn = false;
  private memoAllowed = false;
  /** Step count of the next check: memoization starts, or the budget is spent. */
  private checkAt = 0;
  private lookCache: Uint8Array = new Uint8Array(0);
  /** Bytes of `lookCache` in use for this text (0: no cache, the text is too long). */
  private lookBytes = 0;
  private readonly registers: Int32Array;
  private text = '';
  private pc = 0;
  private pos = 0;
  private steps = 0;
  private limit = 0;

  constructor(
    readonly program: Program,
    /** The pattern and where it came from, for the error message. */
    private readonly pattern: string,
    private readonly path: string,
    private readonly caller: string,
  ) {
    this.registers = new Int32Array(program.registers);
  }

  /** Starts matching `text` (well-formed UTF-16): memos and the step budget cover all its searches. */
  begin(text: string): void {
    const n = text.length;
    const { slots, looks, op } = this.program;
    this.text = text;
    this.sp = 0; // frames left by a search stopped over budget
    if (this.stack.length > 1 << 16) this.stack = new Int32Array(256); // grown by an earlier text
    this.steps = 0;
    this.limit = REGEX_STEP_LIMIT + REGEX_STEPS_PER_CHAR * (op.length + slots + 8) * (n + 1);
    const bits = slots * (n + 1);
    this.memoOn = false;
    this.memoAllowed = slots > 0 && bits <= MAX_MEMO_BITS;
    this.checkAt = this.memoAllowed ? Math.min(this.limit, this.memoAfterStepsPerChar * (n + 1)) : this.limit;
    const lookBytes = looks.length * (n + 1);
    const lookUsed = this.lookBytes;
    this.lookBytes = lookBytes <= MAX_MEMO_BITS >> 3 ? lookBytes : 0;
    this.lookCache = reset(this.lookCache, lookUsed, this.lookBytes);
  }

  /** Finds the leftmost match starting at or after `from`; sets `matchStart`/`matchEnd`. */
  search(from: number): boolean {
    const text = this.text;
    const n = text.length;
    const first = this.program.first;
    for (let s = from; s <= n; ) {
      if (first !== undefined) {
        while (s < n) {
          const c = text.charCodeAt(s);
          if (
            c < 128 ? first.ascii[c] === 1 : first.has(c >= 0xd800 && c <= 0xdbff ? text.codePointAt(s)! : c)
          )
            break;
          s += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
        }
        if (s >= n) return false;
      }
      const end = this.run(this.program.entry, s, -1);
      if (end >= 0) {
        this.matchStart = s;
        this.matchEnd = end;
        return true;
      }
      if (s === n) break;
      const c = text.charCodeAt(s);
      s += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    }
    return false;
  }

  /** Called when `steps` passes `checkAt`: turns memoization on, or stops an over-budget search. */
  private stepCheck(): void {
    if (this.steps > this.limit) this.overBudget();
    if (this.memoAllowed && !this.memoOn) {
      const used = this.memoBytes;
      this.memoBytes = (this.program.slots * (this.text.length + 1) + 7) >> 3;
      this.memo = reset(this.memo, used, this.memoBytes);
      this.memoOn = true;
    }
    this.checkAt = this.limit;
  }

  private overBudget(): never {
    throw new UnsupportedPatternError(
      `${this.caller}: the regex ${JSON.stringify(this.pattern.slice(0, 200))} at ${this.path} took more than ${this.limit} matching steps on a text of ${this.text.length} characters, so it was stopped: it backtracks super-linearly. ` +
        'Rewrite it so that each piece of text can match only one way: no loop whose body can match empty ((a*)*, (a|)+, (\\s?)+ -> a*, a*, \\s*), no look-behind with a repetition',
      this.path,
    );
  }

  private push(kind: number, x: number, y: number, z: number): void {
    const sp = this.sp;
    if (sp + 4 > this.stack.length) {
      const grown = new Int32Array(this.stack.length * 2);
      grown.set(this.stack);
      this.stack = grown;
    }
    const stack = this.stack;
    stack[sp] = kind;
    stack[sp + 1] = x;
    stack[sp + 2] = y;
    stack[sp + 3] = z;
    this.sp = sp + 4;
  }

  /** Runs from `startPc` at `startPos`; returns the end of the match or -1. `target` >= 0: a look-behind body, which must end there. */
  private run(startPc: number, startPos: number, target: number): number {
    const base = this.sp;
    this.pc = startPc;
    this.pos = startPos;
    for (;;) {
      const end = this.advance(target);
      if (end >= 0) {
        this.sp = base;
        return end;
      }
      if (!this.backtrack(base)) return -1;
    }
  }

  /** Executes from `this.pc` at `this.pos` until the program matches (its end) or fails (-1). */
  private advance(target: number): number {
    const { op, a, b, c, memo, sets, slots, guardCount, guardStart, guardRegisters } = this.program;
    const text = this.text;
    const n = text.length;
    const registers = this.registers;
    let pc = this.pc;
    let pos = this.pos;
    for (;;) {
      if (++this.steps > this.checkAt) this.stepCheck();
      let slot = this.memoOn ? memo[pc]! : -1;
      if (slot >= 0) {
        // The memo state: how many enclosing empty-able loop iterations are still empty.
        const g = guardStart[pc]!;
        for (let k = 0; k < guardCount[pc]! && registers[guardRegisters[g + k]!] === pos; k++) slot++;
        const bit = pos * slots + slot;
        if ((this.memo[bit >> 3]! & (1 << (bit & 7))) !== 0) return -1;
        if (op[pc] !== OP_RUN) this.push(FRAME_MARK, bit, 0, 0);
      }
      switch (op[pc]) {
        case OP_CHAR: {
          const cp = b[pc]!;
          if (pos >= n) return -1;
          if (cp < 0x10000) {
            if (text.charCodeAt(pos) !== cp) return -1;
            pos++;
          } else {
            if (text.codePointAt(pos) !== cp) return -1;
            pos += 2;
          }
          pc = a[pc]!;
          break;
        }
        case OP_SET: {
          if (pos >= n) return -1;
          let ch = text.charCodeAt(pos);
          let w = 1;
          if (ch >= 0xd800 && ch <= 0xdbff) {
            ch = text.codePointAt(pos)!;
            w = 2;
          }
          const set = sets[b[pc]!]!;
          if (ch < 128 ? set.ascii[ch] !== 1 : !set.has(ch)) return -1;
          pos += w;
          pc = a[pc]!;
          break;
        }
        case OP_SPLIT: {
          const guard = c[pc]!;
          if (guard >= 0) {
            if (pos >= n) {
              pc = b[pc]!;
              break;
            }
            let ch = text.charCodeAt(pos);
            if (ch >= 0xd800 && ch <= 0xdbff) ch = text.codePointAt(pos)!;
            const set = sets[guard]!;
            if (ch < 128 ? set.ascii[ch] !== 1 : !set.has(ch)) {
              pc = b[pc]!;
              break;
            }
          }
          this.push(FRAME_RESUME, b[pc]!, pos, 0);
          pc = a[pc]!;
          break;
        }
        case OP_ASSERT:
          if (!assertHolds(b[pc]!, text, pos)) return -1;
          pc = a[pc]!;
          break;
        case OP_LOOK:
          if (!this.look(b[pc]!, pos)) return -1;
          pc = a[pc]!;
          break;
        case OP_LOOK_END:
          return target < 0 || pos === target ? pos : -1;
        case OP_MATCH:
          return pos;
        case OP_SAVE:
          this.push(FRAME_RESTORE, b[pc]!, registers[b[pc]!]!, 0);
          registers[b[pc]!] = pos;
          pc = a[pc]!;
          break;
        case OP_EMPTY_CHECK:
          pc = pos === registers[b[pc]!] ? c[pc]! : a[pc]!;
          break;
        case OP_RUN: {
          const top = this.scanRun(pc, pos, slot, this.memoOn ? memo[pc]! : -1);
          const lowest = c[pc] === 0 ? pos : pos + width(text, pos);
          if (top < lowest || (c[pc] === 1 && pos >= n)) return -1;
          this.push(FRAME_RUN, pc, lowest, top);
          pos = top;
          pc = a[pc]!;
          break;
        }
      }
    }
  }

  /** Pops frames down to the newest alternative (sets `this.pc`, `this.pos`); false when none is left above `base`. */
  private backtrack(base: number): boolean {
    const slots = this.program.slots;
    for (;;) {
      if (this.sp === base) return false;
      if (++this.steps > this.checkAt) this.stepCheck();
      this.sp -= 4;
      const sp = this.sp;
      const stack = this.stack;
      const kind = stack[sp]!;
      if (kind === FRAME_RESUME) {
        this.pc = stack[sp + 1]!;
        this.pos = stack[sp + 2]!;
        return true;
      }
      if (kind === FRAME_RUN) {
        // Give back one code point of the run and try what follows from there.
        const at = stack[sp + 3]!;
        if (at <= stack[sp + 2]!) continue;
        const pos = at - (at >= 2 && isLowSurrogate(this.text.charCodeAt(at - 1)) ? 2 : 1);
        stack[sp + 3] = pos;
        this.sp += 4;
        this.pc = this.program.a[stack[sp + 1]!]!;
        this.pos = pos;
        return true;
      }
      if (kind === FRAME_MARK) {
        const bit = stack[sp + 1]!;
        this.memo[bit >> 3]! |= 1 << (bit & 7);
      } else if (kind === FRAME_MARK_RANGE) {
        const slot = stack[sp + 1]!;
        for (let p = stack[sp + 2]!, end = stack[sp + 3]!; p < end; p++) {
          const bit = p * slots + slot;
          this.memo[bit >> 3]! |= 1 << (bit & 7);
        }
      } else {
        this.registers[stack[sp + 1]!] = stack[sp + 2]!;
      }
    }
  }

  /**
   * Scans the run of set `b[pc]` from `pos` and returns the last position to try what follows.
   * A memoized run that failed from position p failed for every later start in the same run
   * (it tried the same or fewer ends), so the scan stops at such a p; when this run fails too,
   * the positions it scanned are marked alike (FRAME_MARK_RANGE). `slot` is the memo slot of
   * this run's state; later starts in the run have consumed text, so theirs is `firstSlot`.
   */
  private scanRun(pc: number, pos: number, slot: number, firstSlot: number): number {
    const { b, c, sets, slots } = this.program;
    const text = this.text;
    const n = text.length;
    const set = sets[b[pc]!]!;
    const memo = this.memo;
    let at = pos;
    let previous = -1;
    let steps = 0;
    while (at < n) {
      let ch = text.charCodeAt(at);
      let w = 1;
      if (ch >= 0xd800 && ch <= 0xdbff) {
        ch = text.codePointAt(at)!;
        w = 2;
      }
      if (ch < 128 ? set.ascii[ch] !== 1 : !set.has(ch)) break;
      steps++;
      previous = at;
      at += w;
      if (slot >= 0) {
        const bit = at * slots + firstSlot;
        if ((memo[bit >> 3]! & (1 << (bit & 7))) !== 0) {
          // Runs from `at` already failed: for `set+` they tried `at` + 1 onwards, for `set*` `at` onwards.
          this.markRun(steps, pos, slot, firstSlot, at);
          return c[pc] === 1 ? at : previous;
        }
      }
    }
    if (slot >= 0) {
      this.markRun(steps, pos, slot, firstSlot, at + 1);
    } else {
      this.steps += steps;
      if (this.steps > this.checkAt) this.stepCheck();
    }
    return at;
  }

  /** Counts a run's scan and pushes the marks its failure sets: `pos` in `slot`, later starts up to `end` in `firstSlot`. */
  private markRun(steps: number, pos: number, slot: number, firstSlot: number, end: number): void {
    this.steps += steps;
    if (this.steps > this.checkAt) this.stepCheck();
    this.push(FRAME_MARK, pos * this.program.slots + slot, 0, 0);
    this.push(FRAME_MARK_RANGE, firstSlot, pos + 1, end);
  }

  /** Whether look-around `index` holds at `pos` (cached per position). */
  private look(index: number, pos: number): boolean {
    const cacheAt = index * (this.text.length + 1) + pos;
    const look = this.program.looks[index]!;
    const cached = cacheAt < this.lookBytes ? this.lookCache[cacheAt]! : 0;
    if (cached !== 0) return (cached === 1) !== look.negate;
    let found = false;
    if (!look.behind) {
      found = this.run(look.entry, pos, -1) >= 0;
    } else {
      // Any start whose match ends exactly at `pos` (the truth value does not depend on which).
      let start = pos;
      let back = 0;
      while (back < look.minBack && start > 0) {
        start -= width(this.text, start, true);
        back++;
      }
      if (back === look.minBack) {
        for (;;) {
          if (this.run(look.entry, start, pos) >= 0) {
            found = true;
            break;
          }
          if (start === 0 || back >= look.maxBack) break;
          start -= width(this.text, start, true);
          back++;
        }
      }
    }
    if (cacheAt < this.lookBytes) this.lookCache[cacheAt] = found ? 1 : 2;
    return found !== look.negate;
  }
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** UTF-16 width of the code point at `pos` (or, with `before`, of the one ending at `pos`). */
function width(text: string, pos: number, before = false): number {
  if (before) return pos >= 2 && isLowSurrogate(text.charCodeAt(pos - 1)) ? 2 : 1;
  const c = text.charCodeAt(pos);
  return c >= 0xd800 && c <= 0xdbff ? 2 : 1;
}

/** A zeroed buffer of `bytes` bytes, reusing `buffer` (whose first `used` bytes may be dirty). */
function reset(buffer: Uint8Array, used: number, bytes: number): Uint8Array {
  if (buffer.length < bytes || buffer.length > 4 * bytes + 4096) return new Uint8Array(bytes);
  buffer.fill(0, 0, Math.min(used, buffer.length));
  return buffer;
}
