// The bench CLI's logic, separate from cli.ts so tests can call it: parse arguments, get the GPU,
// print the adapter and whether the anchors apply, run the suites with progress, attach the
// anchors, print the summary, write JSON + HTML report + Markdown; or compare two results, or
// rewrite the README headline from one. Returns the exit code (0 ok, 1 a suite failed, 2 bad usage).
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { type GpuContext, getGpuContext } from '@mamba-webgpu/tensor';
import { anchorsStatus, attachAnchors } from './anchors/official.js';
import { DEFAULT_BUDGET_SECONDS, USAGE, UsageError, parseCliArgs, selectSuites } from './args.js';
import { compareResults, formatComparison } from './compare.js';
import { OUTLIERS_MEANING, formatBytes, formatMarkdown, formatSummary } from './format.js';
import { headlineBlock, replaceHeadline } from './headline.js';
import { ProgressReporter } from './progress.js';
import { renderReport } from './report/html-report.js';
import {
  type BenchResult,
  KEY_LIMITS,
  RESULT_SCHEMA,
  SPREAD_MEANING,
  describeGpu,
  gitCommit,
  parseResult,
} from './result.js';
import { errorLine, runSuites } from './runner.js';
import { SUITES } from './suites/index.js';
import type { BenchSuite } from './types.js';

export interface MainIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  cwd: string;
}

export interface MainDeps {
  io?: MainIo;
  suites?: readonly BenchSuite[];
  /** Returns the GPU context; throws (NoAdapterError) when there is none. */
  getGpu?: () => Promise<GpuContext>;
}

/** Where results go when neither --json nor --report is given (relative to cwd). */
export const DEFAULT_OUT_DIR = 'bench-results';

/** Runs the CLI with `argv` (without `node cli.js`); resolves to the exit code. */
export async function main(argv: readonly string[], deps: MainDeps = {}): Promise<number> {
  const io = deps.io ?? { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() };
  const out = (line = '') => io.stdout.write(`${line}\n`);
  const err = (line = '') => io.stderr.write(`${line}\n`);
  try {
    const command = parseCliArgs(argv);
    if (command.kind === 'help') {
      out(USAGE);
      return 0;
    }
    if (command.kind === 'headline') return await headline(command, io);
    if (command.kind === 'compare') {
      const [oldResult, newResult] = await Promise.all(
        [command.oldFile, command.newFile].map((f) => readResult(resolve(io.cwd, f))),
      );
      for (const line of formatComparison(oldResult!, newResult!, compareResults(oldResult!, newResult!)))
        out(line);
      return 0;
    }
    const suites = selectSuites(deps.suites ?? SUITES, command.suites);
    const startDate = new Date().toISOString();

    let gpu: GpuContext | undefined;
    let noGpuReason: string | undefined;
    try {
      gpu = await (deps.getGpu ?? getGpuContext)();
    } catch (error) {
      noGpuReason = errorLine(error);
      err(`No GPU: ${noGpuReason}`);
      err('Suites that need a GPU are skipped; the others run.');
    }
    const sizing = command.sizing ?? (gpu && !gpu.adapter.isCpu ? 'full' : 'small');
    const budgetSeconds = command.budgetSeconds ?? DEFAULT_BUDGET_SECONDS[sizing];
    const commit = gitCommit(io.cwd);

    out(`mamba-webgpu bench  ${startDate}  commit ${commit.slice(0, 12)}`);
    out(`adapter: ${gpu ? gpu.describe() : `none (${noGpuReason})`}`);
    if (gpu) {
      const limits = KEY_LIMITS.map((k) => {
        const v = (gpu!.limits as unknown as Record<string, number>)[k]!;
        return `${k.replace(/^max/, '')} ${/Size$/.test(k) ? formatBytes(v) : v}`;
      });
      out(`limits: ${limits.join(', ')}`);
    }
    out(
      `sizing: ${sizing}${command.sizing ? '' : ' (from the adapter)'}; budget ${budgetSeconds} s per suite; suites: ${suites.map((s) => s.name).join(', ') || 'none registered yet'}`,
    );
    const gpuMeta = describeGpu(gpu);
    out(`anchors: ${anchorsStatus(gpuMeta.adapter).note}`);
    out(`spread: ${SPREAD_MEANING[RESULT_SCHEMA]}; outliers: ${OUTLIERS_MEANING}`);
    out();

    const progress = new ProgressReporter({ stream: io.stderr });
    const outcome = await runSuites(suites, {
      warmUpMs: sizing === 'full' ? 400 : 0,
      gpu,
      sizing,
      budgetMs: budgetSeconds * 1000,
      progress,
      noGpuReason: noGpuReason && `no GPU adapter: ${noGpuReason}`,
    });

    const { rows, anchors } = attachAnchors(outcome.rows, gpuMeta.adapter);
    const result: BenchResult = {
      schema: RESULT_SCHEMA,
      meta: {
        date: startDate,
        gitCommit: commit,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        ...gpuMeta,
        sizing,
        budgetSeconds,
        argv: [...argv],
        spread: SPREAD_MEANING[RESULT_SCHEMA],
        anchors,
      },
      suites: outcome.suites,
      rows,
    };

    out();
    for (const line of formatSummary(result.rows)) out(line);
    out();

    let { json, report } = command;
    if (json === undefined && report === undefined) {
      json = `${DEFAULT_OUT_DIR}/latest.json`;
      report = `${DEFAULT_OUT_DIR}/latest.html`;
      const latest = resolve(io.cwd, json);
      if (existsSync(latest)) await rename(latest, resolve(io.cwd, DEFAULT_OUT_DIR, 'previous.json'));
    }
    if (json !== undefined) {
      const path = await writeOutput(io.cwd, json, `${JSON.stringify(result, null, 2)}\n`);
      out(`JSON:   ${path}`);
    }
    if (report !== undefined) {
      const path = await writeOutput(io.cwd, report, renderReport(result));
      out(`report: ${path}`);
    }
    if (command.markdown !== undefined) {
      const path = await writeOutput(io.cwd, command.markdown, formatMarkdown(result));
      out(`table:  ${path}`);
    }
    if (
      command.json === undefined &&
      command.report === undefined &&
      existsSync(resolve(io.cwd, DEFAULT_OUT_DIR, 'previous.json'))
    ) {
      out(
        `compare with the previous run: pnpm bench --compare ${DEFAULT_OUT_DIR}/previous.json ${DEFAULT_OUT_DIR}/latest.json`,
      );
    }

    gpu?.dispose();
    const failed = outcome.suites.filter((s) => !s.ok && !s.skipped);
    const skipped = outcome.suites.filter((s) => s.skipped);
    if (skipped.length) out(`note: skipped without a GPU: ${skipped.map((s) => s.name).join(', ')}`);
    if (failed.length) {
      err(`FAILED suites: ${failed.map((s) => `${s.name} (${s.error})`).join('; ')}`);
      return 1;
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`mamba-bench: ${error.message}`);
      err();
      err(USAGE);
      return 2;
    }
    err(`mamba-bench: ${errorLine(error)}`);
    return 2;
  }
}

/** `--headline FILE`: rewrites (or with --check, checks) the README's headline table. */
async function headline(
  command: { resultFile: string; readme: string; check: boolean },
  io: MainIo,
): Promise<number> {
  const result = await readResult(resolve(io.cwd, command.resultFile));
  const readmePath = resolve(io.cwd, command.readme);
  const readme = await readFile(readmePath, 'utf8').catch((error: Error) => {
    throw new UsageError(`cannot read ${readmePath}: ${error.message}`);
  });
  const updated = replaceHeadline(readme, headlineBlock(result, command.resultFile));
  if (command.check) {
    const same = updated === readme;
    io.stdout.write(
      same
        ? `${command.readme}: the headline table is ${command.resultFile}'s\n`
        : `${command.readme}: the headline table differs from ${command.resultFile}'s; run pnpm bench:headline ${command.resultFile}\n`,
    );
    return same ? 0 : 1;
  }
  await writeFile(readmePath, updated);
  io.stdout.write(`${command.readme}: headline table written from ${command.resultFile}\n`);
  return 0;
}

async function readResult(path: string): Promise<BenchResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseResult(data, path);
}

/** Writes `text` to `file` (relative to cwd), creating folders; returns the path for printing. */
async function writeOutput(cwd: string, file: string, text: string): Promise<string> {
  const path = resolve(cwd, file);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  const rel = relative(cwd, path);
  return rel.startsWith('..') ? path : rel;
}
