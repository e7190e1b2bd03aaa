// The Rust `safetensors` crate's header rules, one table row each: what it accepts (leading
// whitespace, `__metadata__: null`, empty tensors, any key order) and what it refuses (gaps,
// overlaps, trailing bytes, non-integer fields, repeated keys, deep nesting, bad lengths), each
// refusal a typed SafetensorsError with its reason, naming the file (and tensor).

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import { describe, expect, it } from 'vitest';
import { rawSafetensors } from '../../test/loading/helpers.js';
import { bytesSource } from './byte-source.js';
import { SafetensorsError, type SafetensorsErrorReason } from './errors.js';
import { readSafetensorsHeader } from './safetensors.js';

const FILE = 'rules.safetensors';

/** Two F32 tensors, `a` (2, 2) then `b` (2), tiling 24 data bytes; `patch` edits the JSON text. */
const BASE =
  '{"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}';

interface Row {
  rule: string;
  header: string;
  /** Data section bytes; default 24. */
  data?: number;
  /** Header length written in the prefix, when it must lie. */
  headerLength?: number;
  /** Expected tensor names, or the refusal. */
  expect: string[] | { reason: SafetensorsErrorReason; tensor?: string };
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
/** Entry `a` with an ignored extra field nesting `depth` arrays (the header itself adds 2 levels). */
const withExtra = (depth: number) =>
  `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":${nested(depth)}}}`;

const accepted: Row[] = [
  { rule: 'the baseline', header: BASE, expect: ['a', 'b'] },
  { rule: 'leading whitespace', header: ` \n\t\r${BASE}`, expect: ['a', 'b'] },
  {
    rule: 'trailing space padding (the reference writer pads to 8 bytes)',
    header: `${BASE}      `,
    expect: ['a', 'b'],
  },
  { rule: '__metadata__: null', header: `{"__metadata__":null,${BASE.slice(1)}`, expect: ['a', 'b'] },
  {
    rule: '__metadata__ of strings',
    header: `{"__metadata__":{"format":"pt"},${BASE.slice(1)}`,
    expect: ['a', 'b'],
  },
  {
    rule: 'keys in any order (the layout is checked sorted by offsets)',
    header:
      '{"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}',
    expect: ['b', 'a'],
  },
  {
    rule: 'empty tensors at the start, at a boundary and at the end, two at one offset',
    header:
      '{"e0":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"e1":{"dtype":"F16","shape":[0,3],"data_offsets":[0,0]},' +
      '"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"e2":{"dtype":"I8","shape":[2,0],"data_offsets":[16,16]},' +
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"e3":{"dtype":"U8","shape":[0],"data_offsets":[24,24]}}',
    expect: ['e0', 'e1', 'a', 'e2', 'b', 'e3'],
  },
  { rule: 'no tensors and no data', header: '{}', data: 0, expect: [] },
  {
    rule: 'a scalar (shape [])',
    header: '{"s":{"dtype":"I32","shape":[],"data_offsets":[0,4]}}',
    data: 4,
    expect: ['s'],
  },
  { rule: 'nesting of exactly 128 levels', header: withExtra(126), data: 8, expect: ['a'] },
  {
    rule: 'escapes in names',
    header: '{"a\\u0041\\n":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
    data: 1,
    expect: ['aA\n'],
  },
  {
    rule: 'a tensor named __proto__',
    header: '{"__proto__":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
    data: 1,
    expect: ['__proto__'],
  },
];

const refused: Row[] = [
  {
    rule: 'the first tensor not at 0',
    header: '{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}',
    data: 16,
    expect: { reason: 'gap', tensor: 'a' },
  },
  {
    rule: 'a gap between tensors',
    header:
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}',
    expect: { reason: 'gap', tensor: 'b' },
  },
  {
    rule: 'overlapping tensors',
    header: BASE.replace('[16,24]', '[8,16]'),
    expect: { reason: 'overlap', tensor: 'b' },
  },
  {
    rule: 'an empty tensor inside another',
    header: `{"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},${BASE.slice(1)}`,
    expect: { reason: 'overlap', tensor: 'e' },
  },
  {
    rule: 'two tensors at one offset',
    header: BASE.replace('"shape":[2],"data_offsets":[16,24]', '"shape":[4],"data_offsets":[0,16]'),
    expect: { reason: 'overlap', tensor: 'b' },
  },
  {
    rule: 'trailing bytes after the last tensor',
    header: BASE,
    data: 32,
    expect: { reason: 'trailing-bytes' },
  },
  { rule: 'data but no tensors', header: '{}', data: 8, expect: { reason: 'trailing-bytes' } },
  {
    rule: 'a tensor past the end',
    header: BASE,
    data: 20,
    expect: { reason: 'offset-out-of-file', tensor: 'b' },
  },
  {
    rule: 'shape 2.0',
    header: BASE.replace('[2,2]', '[2.0,2]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'shape 2e0',
    header: BASE.replace('[2,2]', '[2e0,2]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'shape -2',
    header: BASE.replace('[2,2]', '[-2,-2]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'shape "2"',
    header: BASE.replace('[2,2]', '["2",2]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'shape not a list',
    header: BASE.replace('[2,2]', '4'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'shape 2^53',
    header: BASE.replace('[2,2]', '[9007199254740992]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'data_offsets 0.0',
    header: BASE.replace('[0,16]', '[0.0,16]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'data_offsets 1.6e1',
    header: BASE.replace('[0,16]', '[0,1.6e1]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'data_offsets negative',
    header: BASE.replace('[0,16]', '[-16,0]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'data_offsets of 3',
    header: BASE.replace('[0,16]', '[0,16,16]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'data_offsets begin > end',
    header: BASE.replace('[0,16]', '[16,0]'),
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  {
    rule: 'dtype x shape != bytes',
    header: BASE.replace('[2,2]', '[2,3]'),
    expect: { reason: 'byte-length', tensor: 'a' },
  },
  {
    rule: 'unknown dtype',
    header: BASE.replace('"F32"', '"F4"'),
    expect: { reason: 'unknown-dtype', tensor: 'a' },
  },
  {
    rule: 'a repeated tensor name',
    header: `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},${BASE.slice(1).replace('[2,2]', '[2]').replace('[0,16]', '[8,16]')}`,
    expect: { reason: 'duplicate-key', tensor: 'a' },
  },
  {
    rule: 'a repeated field in an entry',
    header: BASE.replace('"dtype":"F32",', '"dtype":"F16","dtype":"F32",'),
    expect: { reason: 'duplicate-key' },
  },
  {
    rule: 'a repeated __metadata__ key',
    header: `{"__metadata__":{"k":"1","k":"2"},${BASE.slice(1)}`,
    expect: { reason: 'duplicate-key' },
  },
  { rule: 'nesting of 129 levels', header: withExtra(127), data: 8, expect: { reason: 'too-deep' } },
  { rule: 'nesting of 100000 levels', header: withExtra(100_000), data: 8, expect: { reason: 'too-deep' } },
  {
    rule: '__metadata__ with a number',
    header: `{"__metadata__":{"k":1},${BASE.slice(1)}`,
    expect: { reason: 'bad-header' },
  },
  {
    rule: '__metadata__ a list',
    header: `{"__metadata__":["pt"],${BASE.slice(1)}`,
    expect: { reason: 'bad-header' },
  },
  {
    rule: 'an entry that is not an object',
    header: '{"a":[0,16]}',
    data: 16,
    expect: { reason: 'bad-entry', tensor: 'a' },
  },
  { rule: 'a byte order mark', header: `\ufeff${BASE}`, expect: { reason: 'bad-header' } },
  { rule: 'a list, not an object', header: '[]', data: 0, expect: { reason: 'bad-header' } },
  { rule: 'null, not an object', header: 'null', data: 0, expect: { reason: 'bad-header' } },
  { rule: 'text after the JSON', header: `${BASE} x`, expect: { reason: 'bad-header' } },
  { rule: 'a trailing comma', header: `${BASE.slice(0, -1)},}`, expect: { reason: 'bad-header' } },
  { rule: 'single quotes', header: "{'a':1}", data: 0, expect: { reason: 'bad-header' } },
  { rule: 'a raw newline in a string', header: '{"a\nb":{}}', data: 0, expect: { reason: 'bad-header' } },
  { rule: 'a header length of 0', header: '', data: 0, expect: { reason: 'bad-header' } },
  { rule: 'a header length of 1', header: '{', data: 0, expect: { reason: 'bad-header' } },
  {
    rule: 'a header length past the file',
    header: BASE,
    headerLength: 1000,
    expect: { reason: 'truncated' },
  },
  {
    rule: 'a header length over 100 MB',
    header: BASE,
    headerLength: 100_000_001,
    expect: { reason: 'header-too-large' },
  },
  {
    rule: 'a header length of 2^63',
    header: BASE,
    headerLength: 2 ** 63,
    expect: { reason: 'header-too-large' },
  },
];

function fileOf(row: Row): Uint8Array {
  return rawSafetensors(row.header, new Uint8Array(row.data ?? 24), row.headerLength);
}

describe('safetensors header rules (the Rust crate)', () => {
  it.each(accepted)('accepts $rule', async (row) => {
    const header = await readSafetensorsHeader(bytesSource(fileOf(row), FILE));
    expect([...header.tensors.keys()]).toEqual(row.expect);
  });

  it.each(refused)('refuses $rule', async (row) => {
    const error = await readSafetensorsHeader(bytesSource(fileOf(row), FILE)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SafetensorsError);
    const typed = error as SafetensorsError;
    const expected = row.expect as { reason: SafetensorsErrorReason; tensor?: string };
    expect(typed.reason, typed.message).toBe(expected.reason);
    expect(typed.file).toBe(FILE);
    expect(typed.message).toMatch(/^readSafetensorsHeader: /);
    expect(typed.message).toContain(FILE);
    if (expected.tensor !== undefined) {
      expect(typed.tensor).toBe(expected.tensor);
      expect(typed.message).toContain(expected.tensor);
    }
  });

  it('metadata null reads as no metadata', async () => {
    const header = await readSafetensorsHeader(
      bytesSource(fileOf({ rule: '', header: `{"__metadata__":null,${BASE.slice(1)}`, expect: [] }), FILE),
    );
    expect(header.metadata).toEqual({});
  });

  it('refuses a bad maxHeaderBytes before reading', async () => {
    for (const maxHeaderBytes of [Number.NaN, -1, 1.5]) {
      await expect(
        readSafetensorsHeader(bytesSource(fileOf({ rule: '', header: BASE, expect: [] }), FILE), {
          maxHeaderBytes,
        }),
      ).rejects.toThrow(InvalidArgumentError);
    }
  });
});
