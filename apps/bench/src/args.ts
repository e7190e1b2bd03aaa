// Command-line arguments of `mamba-bench` (node:util parseArgs) and the help text.
import { parseArgs } from 'node:util';
import type { BenchSizing } from './types.js';

/** A bad command line; the CLI prints the message and the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'compare'; oldFile: string; newFile: string }
  | {
      kind: 'headline';
      /** The bench result the README's headline table comes from. */
      resultFile: string;
      /** The README to rewrite between its headline markers (default README.md). */
      readme: string;
      /** Only check: exit 1 when the README's table differs from the result's. */
      check: boolean;
    }
  | {
      kind: 'run';
      /** Suite names in the order given; undefined for all. */
      suites: string[] | undefined;
      /** undefined: small on CPU adapters, full on GPUs. */
      sizing: BenchSizing | undefined;
      /** Per-suite soft budget; undefined: the sizing's default. */
      budgetSeconds: number | undefined;
      json: string | undefined;
      report: string | undefined;
      markdown: string | undefined;
    };

/** Default per-suite budget in seconds by sizing (small fits lavapipe's 10-minute bench). */
export const DEFAULT_BUDGET_SECONDS: Record<BenchSizing, number> = { small: 60, full: 90 };

export const USAGE = `Usage: mamba-bench [options]            (from the repo root: pnpm bench [options])
       mamba-bench --compare OLD.json NEW.json
       mamba-bench --headline RESULT.json [--readme README.md] [--check]
                                         (from the repo root: pnpm bench:headline RESULT.json)

Runs the benchmark suites on this machine's WebGPU adapter, prints a summary table and writes a
JSON result and a self-contained HTML report.

Options:
  --suite a,b        suites to run, in order (default: all: ops, scan, tokenizer, model, quant, load, serve, train, tasks)
  --sizing MODE      small | full (default: small on CPU adapters such as lavapipe, full on GPUs)
  --budget SECONDS   soft time budget per suite (default: ${DEFAULT_BUDGET_SECONDS.small} small, ${DEFAULT_BUDGET_SECONDS.full} full)
  --json FILE        write every figure with shape, unit, adapter, commit and date as JSON
  --report FILE      write the HTML report (inline SVG charts, no network)
                     (neither --json nor --report: bench-results/latest.{json,html}; the
                     previous latest.json is kept as bench-results/previous.json)
  --markdown FILE    write every row as a Markdown table (for docs/benchmarks and the README)
  --compare OLD NEW  compare two JSON results: NEW/OLD ratios, regressions beyond noise flagged
  --headline FILE    rewrite the README's headline table (between <!-- headline:start --> and
                     <!-- headline:end -->) from one JSON result of the anchors' GPU and the anchors
  --readme FILE      the README for --headline (default README.md)
  --check            with --headline: change nothing, exit 1 if the table is not the result's
  -h, --help         this text

Environment: MAMBA_WEBGPU_ADAPTER picks an adapter by name, MAMBA_WEBGPU_POWER=low-power,
MAMBA_WEBGPU_FALLBACK=1 the software adapter, GIT_COMMIT when git is absent.`;

/** Parses the CLI arguments (without `node cli.js`). Throws UsageError. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  // `pnpm bench -- --suite x` hands the script a literal `--` first.
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.compare !== undefined) {
    const newFile = positionals[0];
    if (!newFile) throw new UsageError('--compare needs two files: --compare OLD.json NEW.json');
    if (positionals.length > 1)
      throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
    return { kind: 'compare', oldFile: values.compare, newFile };
  }
  if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
  if (values.headline !== undefined) {
    if (values.headline === '') throw new UsageError('--headline needs a result file');
    return {
      kind: 'headline',
      resultFile: values.headline,
      readme: values.readme ?? 'README.md',
      check: !!values.check,
    };
  }
  if (values.readme !== undefined || values.check)
    throw new UsageError('--readme and --check go with --headline');
  let suites: string[] | undefined;
  if (values.suite !== undefined) {
    suites = values.suite
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (suites.length === 0) throw new UsageError('--suite needs at least one name, e.g. --suite scan,model');
  }
  let sizing: BenchSizing | undefined;
  if (values.sizing !== undefined) {
    if (values.sizing !== 'small' && values.sizing !== 'full') {
      throw new UsageError(`--sizing must be small or full, got "${values.sizing}"`);
    }
    sizing = values.sizing;
  }
  let budgetSeconds: number | undefined;
  if (values.budget !== undefined) {
    budgetSeconds = Number(values.budget);
    if (!(budgetSeconds > 0) || !Number.isFinite(budgetSeconds)) {
      throw new UsageError(`--budget must be a positive number of seconds, got "${values.budget}"`);
    }
  }
  for (const flag of ['json', 'report', 'markdown'] as const) {
    if (values[flag] === '') throw new UsageError(`--${flag} needs a file name`);
  }
  return {
    kind: 'run',
    suites,
    sizing,
    budgetSeconds,
    json: values.json,
    report: values.report,
    markdown: values.markdown,
  };
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      suite: { type: 'string' },
      sizing: { type: 'string' },
      budget: { type: 'string' },
      json: { type: 'string' },
      report: { type: 'string' },
      markdown: { type: 'string' },
      compare: { type: 'string' },
      headline: { type: 'string' },
      readme: { type: 'string' },
      check: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/**
 * The suites to run, in the order asked for (all registered when `wanted` is undefined).
 * Throws UsageError naming the unknown ones and the registered ones.
 */
export function selectSuites<T extends { name: string }>(
  registered: readonly T[],
  wanted: string[] | undefined,
): T[] {
  if (!wanted) return [...registered];
  const unknown = wanted.filter((w) => !registered.some((s) => s.name === w));
  if (unknown.length) {
    const known = registered.map((s) => s.name).join(', ') || 'none yet';
    throw new UsageError(`unknown suite ${unknown.map((u) => `"${u}"`).join(', ')}; registered: ${known}`);
  }
  return unique(wanted).map((w) => registered.find((s) => s.name === w)!);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
