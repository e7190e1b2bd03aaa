// Generates src/unicode-legacy.ts: code points where the Rust `tokenizers` library's Unicode
// tables (normalization: crate unicode-normalization-alignments; regex: onig) are older than this
// engine's, found by asking the real library (dev dependency `tokenizers`, the Node binding).
// Run: node scripts/legacy-unicode.mjs   (then biome format the output)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const { Tokenizer } = createRequire(import.meta.url)('tokenizers');
const base = JSON.parse(
  readFileSync(new URL('../test/fixtures/gpt2-neox-style/tokenizer.json', import.meta.url), 'utf8'),
);
const make = (form) =>
  Tokenizer.fromString(JSON.stringify({ ...base, normalizer: { type: form }, added_tokens: [] }));
const rust = { NFC: make('NFC'), NFD: make('NFD'), NFKD: make('NFKD'), StripAccents: make('StripAccents') };

async function rustNormalize(form, texts) {
  const encodings = await rust[form].encodeBatch(texts, { addSpecialTokens: false });
  return rust[form].decodeBatch(
    encodings.map((e) => e.getIds()),
    false,
  );
}

const candidates = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCodePoint(cp);
  if (ch.normalize('NFKD') !== ch || /\p{M}/u.test(ch)) candidates.push(cp);
}
const legacy = [];
const chunk = 2000;
for (let k = 0; k < candidates.length; k += chunk) {
  const cps = candidates.slice(k, k + chunk);
  const probes = {
    NFKD: cps.map((cp) => String.fromCodePoint(cp)),
    NFD: cps.map((cp) => `a\u0301${String.fromCodePoint(cp)}\u0316`),
    NFC: cps.map((cp) => `a${String.fromCodePoint(cp)}\u0301`),
  };
  const results = {};
  for (const form of Object.keys(probes)) results[form] = await rustNormalize(form, probes[form]);
  cps.forEach((cp, i) => {
    const differs = Object.keys(probes).some((form) => results[form][i] !== probes[form][i].normalize(form));
    if (differs) legacy.push(cp);
  });
}
// Marks (\p{M} here) that StripAccents keeps: not combining marks in the Rust tables.
const marks = candidates.filter((cp) => /\p{M}/u.test(String.fromCodePoint(cp)));
const keptMarks = [];
for (let k = 0; k < marks.length; k += chunk) {
  const cps = marks.slice(k, k + chunk);
  const texts = cps.map((cp) => `a${String.fromCodePoint(cp)}`);
  const out = await rustNormalize('StripAccents', texts);
  cps.forEach((cp, i) => {
    if (out[i] !== 'a') keptMarks.push(cp);
  });
}
function toClass(cps) {
  const ranges = [];
  for (const cp of cps) {
    const last = ranges.at(-1);
    if (last && last[1] === cp - 1) last[1] = cp;
    else ranges.push([cp, cp]);
  }
  const hex = (cp) => `\\u{${cp.toString(16)}}`;
  return {
    count: ranges.length,
    body: ranges.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join(''),
  };
}
// Letters and numbers here that onig (the Rust library's regex engine) calls neither, probed
// with the GPT-2 pattern: "a" + X + "a" is one piece iff X is \p{L}, "1" + X + "1" iff \p{N}.
const pieceCount = (e) => new Set(e.getWordIds()).size;
const notLetter = [];
const notNumber = [];
const lettersAndNumbers = [];
for (let cp = 0; cp <= 0x10ffff; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  if (/[\p{L}\p{N}]/u.test(String.fromCodePoint(cp))) lettersAndNumbers.push(cp);
}
const gpt2 = Tokenizer.fromString(JSON.stringify({ ...base, normalizer: null, added_tokens: [] }));
for (let k = 0; k < lettersAndNumbers.length; k += 5000) {
  const cps = lettersAndNumbers.slice(k, k + 5000);
  const asLetter = await gpt2.encodeBatch(
    cps.map((cp) => `a${String.fromCodePoint(cp)}a`),
    { addSpecialTokens: false },
  );
  const asNumber = await gpt2.encodeBatch(
    cps.map((cp) => `1${String.fromCodePoint(cp)}1`),
    { addSpecialTokens: false },
  );
  cps.forEach((cp, i) => {
    const isLetter = /\p{L}/u.test(String.fromCodePoint(cp));
    if (isLetter && pieceCount(asLetter[i]) !== 1) notLetter.push(cp);
    if (!isLetter && pieceCount(asNumber[i]) !== 1) notNumber.push(cp);
  });
}
// The other direction (general categories that changed): code points that are not \p{M} /
// \p{L} / \p{N} here but are combining marks (stripped) / letters / numbers to the Rust library.
const extraMark = [];
const extraLetter = [];
const extraNumber = [];
{
  const strip = make('StripAccents');
  const assigned = [];
  for (let cp = 0; cp <= 0x10ffff; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    if (!/\p{Cn}/u.test(String.fromCodePoint(cp))) assigned.push(cp);
  }
  for (let k = 0; k < assigned.length; k += 5000) {
    const cps = assigned.slice(k, k + 5000);
    const chars = cps.map((cp) => String.fromCodePoint(cp));
    const stripped = await strip.decodeBatch(
      (
        await strip.encodeBatch(
          chars.map((c) => `a${c}`),
          { addSpecialTokens: false },
        )
      ).map((e) => e.getIds()),
      false,
    );
    const asLetter = await gpt2.encodeBatch(
      chars.map((c) => `a${c}a`),
      { addSpecialTokens: false },
    );
    const asNumber = await gpt2.encodeBatch(
      chars.map((c) => `1${c}1`),
      { addSpecialTokens: false },
    );
    cps.forEach((cp, i) => {
      const c = chars[i];
      if (!/\p{M}/u.test(c) && stripped[i] === 'a') extraMark.push(cp);
      if (!/\p{L}/u.test(c) && pieceCount(asLetter[i]) === 1) extraLetter.push(cp);
      if (!/\p{N}/u.test(c) && !/\p{L}/u.test(c) && pieceCount(asNumber[i]) === 1) extraNumber.push(cp);
    });
  }
}
const { body, count } = toClass(legacy);
const markClass = toClass(keptMarks);
const ranges = { length: count };
writeFileSync(
  new URL('../src/unicode-legacy.ts', import.meta.url),
  `// Generated by scripts/legacy-unicode.mjs from tokenizers ${createRequire(import.meta.url)('tokenizers/package.json').version}: code points that
// the Rust library's normalization tables do not know (so NFC/NFD/NFKC/NFKD leave them and treat
// them as starters), while this JavaScript engine (Unicode ${process.versions.unicode}) would normalize them.

/** ${legacy.length} code points in ${ranges.length} ranges, as a u-mode RegExp class body. */
export const LEGACY_UNICODE_CLASS = '${body}';

/** ${keptMarks.length} code points in ${markClass.count} ranges: \\p{M} here, but not combining marks there (StripAccents keeps them). */
export const LEGACY_MARK_CLASS = '${markClass.body}';

/** ${notLetter.length} code points: \\p{L} here, not \\p{L} to onig (newer than its Unicode tables). */
export const ONIG_NOT_LETTER_CLASS = '${toClass(notLetter).body}';

/** ${notNumber.length} code points: \\p{N} here, not \\p{N} to onig. */
export const ONIG_NOT_NUMBER_CLASS = '${toClass(notNumber).body}';

/** ${extraMark.length} code points: not \\p{M} here, combining marks there (StripAccents removes them). */
export const EXTRA_MARK_CLASS = '${toClass(extraMark).body}';

/** ${extraLetter.length} code points: not \\p{L} here, \\p{L} to onig. */
export const ONIG_EXTRA_LETTER_CLASS = '${toClass(extraLetter).body}';

/** ${extraNumber.length} code points: not \\p{N} here, \\p{N} to onig. */
export const ONIG_EXTRA_NUMBER_CLASS = '${toClass(extraNumber).body}';
`,
);
console.log(
  `normalization ${legacy.length}, marks ${keptMarks.length}, not letters ${notLetter.length}, not numbers ${notNumber.length}`,
);
