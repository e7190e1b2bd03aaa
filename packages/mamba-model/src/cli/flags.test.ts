// The CLI flag parser in process: values, negative numbers as values, strict decimal numbers and
// id lists; and a property: any argv gives values or an InvalidArgumentError, never another error.

import { InvalidArgumentError } from '@mamba-webgpu/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseGenerateFlags } from './generate.js';
import { integerFlag, listFlag, numberFlag, parseFlags } from './flags.js';

const specs = {
  model: { type: 'string', short: 'm' },
  temperature: { type: 'string', short: 't' },
  json: { type: 'boolean' },
} as const;

describe('parseFlags', () => {
  it('reads --name value, --name=value, -x value and switches (the last of a repeated flag counts); a negative number is a value', () => {
    expect(parseFlags('c', ['--model', 'a', '-t', '-1', '--json'], specs)).toEqual({
      model: 'a',
      temperature: '-1',
      json: true,
    });
    expect(parseFlags('c', ['-m', 'a', '--model=--odd', '--temperature=-.5'], specs)).toEqual({
      model: '--odd',
      temperature: '-.5',
    });
  });

  it.each([
    [['--nope'], '--nope', /^c: unknown option --nope/],
    [['--model'], '--model', /^c: --model needs a value$/],
    [
      ['--model', '-x'],
      '--model',
      /--model needs a value \(a value that starts with "-" is written --model=-x\)/,
    ],
    [['a'], 'a', /^c: unexpected argument "a"/],
    [['--json=1'], '--json', /--json is a switch/],
  ])('%j is an InvalidArgumentError naming %s', (argv, argument, message) => {
    const error = (() => {
      try {
        parseFlags('c', argv, specs);
      } catch (e) {
        return e as InvalidArgumentError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error.argument).toBe(argument);
    expect(error.message).toMatch(message);
  });
});

describe('number flags', () => {
  const any = { want: 'x' };
  it('integers are plain decimals', () => {
    expect(integerFlag('c', 'n', '64', 0, any)).toBe(64);
    expect(integerFlag('c', 'n', undefined, 7, any)).toBe(7);
    for (const bad of ['1.5', '1e3', '0x10', ' ', '', '+1', '1_000', '9007199254740993'])
      expect(() => integerFlag('c', 'n', bad, 0, any), bad).toThrow(InvalidArgumentError);
  });

  it('numbers are decimals with an optional exponent, finite, in range', () => {
    expect(numberFlag('c', 'x', '1e-3', 0, any)).toBe(0.001);
    expect(numberFlag('c', 'x', '.5', 0, any)).toBe(0.5);
    for (const bad of ['NaN', 'Infinity', '0x1', '', ' 1', '1e999', '--1'])
      expect(() => numberFlag('c', 'x', bad, 0, any), bad).toThrow(InvalidArgumentError);
    expect(() => numberFlag('c', 'x', '1', 0, { min: 0, max: 1, maxExclusive: true, want: '' })).toThrow();
  });

  it('lists refuse empty items and non-decimal ones instead of reading them as 0', () => {
    const ids = { integer: true, rule: { min: 0, want: 'an id' } };
    expect(listFlag('c', 'ids', '1, 2,3', ids)).toEqual([1, 2, 3]);
    for (const bad of ['1,,2', '1,2,', ',1', '', ' ', '0x10', '1e3', '1.0', '-1'])
      expect(() => listFlag('c', 'ids', bad, ids), bad).toThrow(InvalidArgumentError);
  });
});

describe('parseGenerateFlags', () => {
  it('draws the seed when none is given and keeps a given one', () => {
    const drawn = parseGenerateFlags(['-m', 'a', '--ids', '1'], () => 1234);
    expect(drawn).toMatchObject({ randomSeed: true, sampling: { seed: 1234 } });
    const given = parseGenerateFlags(['-m', 'a', '--ids', '1', '--seed', '5'], () => 1234);
    expect(given).toMatchObject({ randomSeed: false, sampling: { seed: 5 } });
  });

  it('any argv: checked values or an InvalidArgumentError, nothing else', () => {
    const words = fc.constantFrom(
      '--model',
      'm',
      '--ids',
      '1,2',
      '1,,2',
      '--prompt',
      '--temperature',
      '-1',
      '0.5',
      '--seed',
      '--json',
      '--json=1',
      '-n',
      '',
      '=',
      '--',
      '-',
      '--top-p',
      '2',
      '--dtype',
      'q8',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(words, fc.string({ maxLength: 8 })), { maxLength: 12 }), (argv) => {
        try {
          parseGenerateFlags(argv, () => 0);
        } catch (error) {
          if (!(error instanceof InvalidArgumentError)) throw error;
          expect(error.message).toMatch(/^mamba-webgpu generate: /);
          expect(error.message).not.toMatch(/\n/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
