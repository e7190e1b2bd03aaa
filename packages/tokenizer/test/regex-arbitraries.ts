// fast-check generators for the regex tests: random onig patterns over every construct the
// matcher supports, texts over the characters those constructs care about, and pathological
// patterns (nested quantifiers over overlapping alternatives) with the inputs that blow them up.
import fc from 'fast-check';
import { nullable } from '../src/regex-program';
import { parseOnigPattern, type RegexNode } from '../src/regex-parse';

const atom = fc.constantFrom(
  ...[
    'a',
    'b',
    ' ',
    '\\n',
    '\u00e9',
    '\u{1f600}',
    '.',
    '\\s',
    '\\S',
    '\\w',
    '\\W',
    '\\d',
    '\\p{L}',
    '\\P{L}',
  ],
  ...['[ab]', '[^a]', '[a-c\\s]', '\\x41', "'", '(?i:s)', '(?i:a)', '(?i:\u00e9)', '\\h'],
);
const assertion = fc.constantFrom('^', '$', '\\A', '\\z', '\\Z', '\\b', '\\B');
const quantifier = fc.constantFrom(
  ...['', '', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,2}', '{2,}', '{,2}'],
  ...['*?', '+?', '??', '{1,2}?', '{2,}?'],
);

/** Random onig patterns, nested at most a few groups deep. */
export const onigPattern: fc.Arbitrary<string> = fc.letrec<{
  pattern: string;
  branch: string;
  piece: string;
}>((tie) => ({
  pattern: fc.array(tie('branch'), { minLength: 1, maxLength: 3 }).map((branches) => branches.join('|')),
  branch: fc.array(tie('piece'), { maxLength: 3 }).map((pieces) => pieces.join('')),
  piece: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'pattern' },
    fc.tuple(atom, quantifier).map(([a, q]) => a + q),
    fc.tuple(atom, quantifier).map(([a, q]) => a + q),
    assertion,
    fc
      .tuple(fc.constantFrom('(', '(?:', '(?i:', '(?<n>'), tie('pattern'), quantifier)
      .map(([open, body, q]) => `${open}${body})${q}`),
    fc
      .tuple(fc.constantFrom('(?=', '(?!', '(?<=', '(?<!'), tie('pattern'))
      .map(([open, body]) => `${open}${body})`),
  ),
})).pattern;

/** Short texts over characters the generated patterns distinguish. */
export function textOf(maxLength: number): fc.Arbitrary<string> {
  const chars = [
    'a',
    'b',
    'A',
    'B',
    ' ',
    '\n',
    '\u00e9',
    '\u{1f600}',
    '1',
    'x',
    "'",
    's',
    'S',
    '\u017f',
    '\u0663',
    '_',
  ];
  return fc.array(fc.constantFrom(...chars), { maxLength }).map((a) => a.join(''));
}

/** Whether a quantifier with room to spare (max > min) applies to a body that can match empty. */
function hasEmptyRepeat(node: RegexNode): boolean {
  switch (node.type) {
    case 'seq':
    case 'alt':
      return node.items.some(hasEmptyRepeat);
    case 'repeat':
      return (node.max > node.min && nullable(node.body)) || hasEmptyRepeat(node.body);
    case 'look':
      return hasEmptyRepeat(node.body);
    default:
      return false;
  }
}

/**
 * Whether a JavaScript RegExp matches `pattern` exactly as onig does: not when a loop body can
 * match empty (JavaScript rejects an empty iteration and backtracks, onig leaves the loop).
 */
export function jsComparable(pattern: string): boolean {
  return !hasEmptyRepeat(parseOnigPattern(pattern, 'test'));
}

const overlapping = ['a', 'a|a', '[ab]', '\\w', '.', 'a?', 'a*', '\\s?a', 'a|ab', 'a|\\w', '\\p{L}|a'];
const shapes = [
  '(X+)+',
  '(X|X)*',
  '(X*)*',
  '(?:X)+(?:X)+',
  '(.*X){K}',
  '(X?){K}X{K}',
  '(X+)*',
  '((X)+)+',
  '(X+X+)+',
];
const tails = ['$', 'b', '(?!a)', '\\z', '', 'c', '(?=b)', '\\b'];

/** Nested quantifiers over overlapping alternatives: exponential or high-degree for a backtracker. */
export const pathologicalPattern: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...shapes),
    fc.constantFrom(...overlapping),
    fc.integer({ min: 2, max: 25 }),
    fc.constantFrom(...tails),
  )
  .map(([shape, x, k, tail]) => shape.replaceAll('X', `(?:${x})`).replaceAll('K', String(k)) + tail);

/** The inputs that make them backtrack: long runs of `a`, ending in something the tail rejects. */
export const pathologicalText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 10, max: 3000 }), fc.constantFrom('', 'b', '!', 'ab', ' a', 'c'))
  .map(([n, suffix]) => 'a'.repeat(n) + suffix);
