import { describe, expect, it } from 'vitest';
import { UsageError, parseCliArgs, selectSuites } from './args.js';

describe('parseCliArgs', () => {
  it('defaults to running everything with sizing and outputs decided later', () => {
    expect(parseCliArgs([])).toEqual({
      kind: 'run',
      suites: undefined,
      sizing: undefined,
      budgetSeconds: undefined,
      json: undefined,
      report: undefined,
    });
  });

  it('reads every run flag', () => {
    expect(
      parseCliArgs([
        '--suite',
        'scan, model',
        '--sizing',
        'full',
        '--budget',
        '2.5',
        '--json',
        'a.json',
        '--report=r.html',
      ]),
    ).toEqual({
      kind: 'run',
      suites: ['scan', 'model'],
      sizing: 'full',
      budgetSeconds: 2.5,
      json: 'a.json',
      report: 'r.html',
    });
  });

  it('reads --headline with its README and --check', () => {
    expect(parseCliArgs(['--headline', 'docs/benchmarks/h200.json'])).toEqual({
      kind: 'headline',
      resultFile: 'docs/benchmarks/h200.json',
      readme: 'README.md',
      check: false,
    });
    expect(parseCliArgs(['--headline', 'r.json', '--readme', 'docs/R.md', '--check'])).toMatchObject({
      readme: 'docs/R.md',
      check: true,
    });
    expect(() => parseCliArgs(['--check'])).toThrow('--readme and --check go with --headline');
    expect(() => parseCliArgs(['--headline='])).toThrow('--headline needs a result file');
  });

  it('drops the literal -- that pnpm passes on', () => {
    expect(parseCliArgs(['--', '--suite', 'ops'])).toMatchObject({ kind: 'run', suites: ['ops'] });
  });

  it('takes --compare OLD NEW', () => {
    expect(parseCliArgs(['--compare', 'old.json', 'new.json'])).toEqual({
      kind: 'compare',
      oldFile: 'old.json',
      newFile: 'new.json',
    });
  });

  it('returns help for -h and --help', () => {
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['--suite', 'x', '--help'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--sizing', 'huge'], /--sizing must be small or full, got "huge"/],
    [['--budget', '0'], /--budget must be a positive number/],
    [['--budget', 'soon'], /--budget must be a positive number/],
    [['--suite', ','], /--suite needs at least one name/],
    [['--compare', 'old.json'], /--compare needs two files/],
    [['--compare', 'a', 'b', 'c'], /unexpected arguments: c/],
    [['stray'], /unexpected arguments: stray/],
    [['--frobnicate'], /frobnicate/],
    [['--json'], /json/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });
});

describe('selectSuites', () => {
  const registered = [{ name: 'ops' }, { name: 'scan' }, { name: 'tokenizer' }];

  it('returns all registered suites by default, in registry order', () => {
    expect(selectSuites(registered, undefined).map((s) => s.name)).toEqual(['ops', 'scan', 'tokenizer']);
  });

  it('keeps the order asked for and drops repeats', () => {
    expect(selectSuites(registered, ['tokenizer', 'ops', 'tokenizer']).map((s) => s.name)).toEqual([
      'tokenizer',
      'ops',
    ]);
  });

  it('names unknown suites and the registered ones', () => {
    expect(() => selectSuites(registered, ['scan', 'model'])).toThrow(
      'unknown suite "model"; registered: ops, scan, tokenizer',
    );
  });
});
