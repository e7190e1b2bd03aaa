// Leftmost-longest search for a set of literal strings (added tokens) in linear time and without
// a RegExp (engines refuse large alternations): an Aho-Corasick automaton of the reversed strings,
// run backwards over the text, gives the longest string that starts at each position.
import { toWellFormed } from './unicode';

/** The `exec`/`lastIndex` contract of a global RegExp over a fixed set of literals. */
export class LiteralSetMatcher {
  lastIndex = 0;
  /** Per node: the code unit of its only child (-1: none or several, see `children`). */
  private readonly onlyCode: Int32Array;
  private readonly onlyChild: Int32Array;
  /** Children of the nodes with several. */
  private readonly children = new Map<number, Map<number, number>>();
  private readonly fail: Int32Array;
  /** Per node: length of the longest string that is a suffix of the node's path (0: none). */
  private readonly best: Int32Array;
  private nodes = 1;
  private text: string | undefined;
  private longest: Int32Array = new Int32Array(0);

  constructor(patterns: readonly string[]) {
    let total = 1;
    for (const p of patterns) total += p.length;
    this.onlyCode = new Int32Array(total).fill(-1);
    this.onlyChild = new Int32Array(total);
    this.fail = new Int32Array(total);
    this.best = new Int32Array(total);
    for (const p of patterns) {
      // A lone surrogate never matches well-formed text (as in a u-mode RegExp).
      if (p.length === 0 || toWellFormed(p) !== p) continue;
      let node = 0;
      for (let i = p.length - 1; i >= 0; i--) {
        const code = p.charCodeAt(i);
        let child = this.child(node, code);
        if (child < 0) child = this.addChild(node, code);
        node = child;
      }
      this.best[node] = p.length;
    }
    this.link();
  }

  private child(node: number, code: number): number {
    if (this.onlyCode[node] === code) return this.onlyChild[node]!;
    return this.children.get(node)?.get(code) ?? -1;
  }

  private addChild(node: number, code: number): number {
    const child = this.nodes++;
    const many = this.children.get(node);
    if (many) many.set(code, child);
    else if (this.onlyCode[node] === -1 && this.onlyChild[node] === 0) {
      this.onlyCode[node] = code;
      this.onlyChild[node] = child;
    } else {
      // A second child: move both to a map.
      this.children.set(
        node,
        new Map([
          [this.onlyCode[node]!, this.onlyChild[node]!],
          [code, child],
        ]),
      );
      this.onlyCode[node] = -1;
    }
    return child;
  }

  /** Each node's children as [code, child] pairs. */
  private edges(node: number): Array<[number, number]> {
    const many = this.children.get(node);
    if (many) return [...many];
    return this.onlyCode[node] === -1 ? [] : [[this.onlyCode[node]!, this.onlyChild[node]!]];
  }

  /** The automaton's transition: the longest suffix of (path of `node`) + `code` that is a path. */
  private step(node: number, code: number): number {
    let at = node;
    for (;;) {
      const child = this.child(at, code);
      if (child >= 0) return child;
      if (at === 0) return 0;
      at = this.fail[at]!;
    }
  }

  /** Failure links and `best` in breadth-first order (linear in the total length). */
  private link(): void {
    const queue = new Int32Array(this.nodes);
    let head = 0;
    let tail = 0;
    for (const [, child] of this.edges(0)) queue[tail++] = child;
    while (head < tail) {
      const node = queue[head++]!;
      if (this.best[node] === 0) this.best[node] = this.best[this.fail[node]!]!;
      for (const [code, child] of this.edges(node)) {
        this.fail[child] = this.step(this.fail[node]!, code);
        queue[tail++] = child;
      }
    }
  }

  /** Longest string starting at each position of `text`, by a backward scan. */
  private scan(text: string): void {
    if (this.longest.length < text.length) this.longest = new Int32Array(text.length);
    let node = 0;
    for (let i = text.length - 1; i >= 0; i--) {
      node = this.step(node, text.charCodeAt(i));
      this.longest[i] = this.best[node]!;
    }
    this.text = text;
  }

  exec(text: string): RegExpExecArray | null {
    if (text !== this.text) this.scan(text);
    for (let i = this.lastIndex; i < text.length; i++) {
      const length = this.longest[i]!;
      if (length > 0) {
        this.lastIndex = i + length;
        const match = [text.slice(i, i + length)] as unknown as RegExpExecArray;
        match.index = i;
        return match;
      }
    }
    this.lastIndex = 0;
    return null;
  }
}
