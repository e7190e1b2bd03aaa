#!/usr/bin/env node
// mamba-webgpu CLI entry: `generate`, `train`, `serve`, `--version`. A typed error (a bad flag, a
// bad checkpoint, stdout closed under us) is one line on stderr and exit code 2; anything else is a
// bug, one line and exit 1 (MAMBA_WEBGPU_DEBUG=1 adds the stack).

import { readFileSync } from 'node:fs';
import { getGpuContext, InvalidStateError, MambaWebGpuError } from '@mamba-webgpu/tensor';
import { GENERATE_HELP, generateCommand } from './cli/generate.js';
import { quote } from './cli/flags.js';
import { serveCommand } from './serving/cli-serve.js';
import { trainCommand } from './training/cli-train.js';

const HELP = `Usage: mamba-webgpu generate|train|serve [options]   (mamba-webgpu <command> --help)
       mamba-webgpu --version

${GENERATE_HELP}`;

/** The package version, from the package.json beside dist/ (present in every install). */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    name: string;
    version: string;
  };
  return `${pkg.name} ${pkg.version}`;
}

/**
 * stdout closed by its reader (`| head -c1`): writes fail with EPIPE. Generation is aborted through
 * this signal and the CLI ends with one line and exit code 2 instead of an unhandled 'error' event.
 */
const stdoutClosed = new AbortController();
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (stdoutClosed.signal.aborted) return;
  stdoutClosed.abort(
    new InvalidStateError(
      `mamba-webgpu: stdout was closed (${error.code ?? error.message}); stopped generating`,
    ),
  );
});
const out = (text: string) => {
  if (!stdoutClosed.signal.aborted) process.stdout.write(text);
};
const err = (text: string) => process.stderr.write(text);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    err(HELP);
    return 2;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    out(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    out(`${version()}\n`);
    return 0;
  }
  if (command === 'train') return trainCommand(rest, () => getGpuContext());
  if (command === 'serve') return serveCommand(rest, () => getGpuContext());
  if (command === 'generate') return generateCommand(rest, { out, err, signal: stdoutClosed.signal });
  throw new MambaWebGpuError(
    `mamba-webgpu: unknown command ${quote(command)}; the commands are generate, train and serve (mamba-webgpu --help)`,
  );
}

/** A message's first line (for errors that are not ours, whose messages may run on). */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!;
}

function exit(code: number): void {
  // A closed stdout wins over a later error it caused (and over success: the output is cut).
  if (stdoutClosed.signal.aborted) {
    err(`${oneLine(stdoutClosed.signal.reason)}\n`);
    process.exit(2);
  }
  process.exit(code);
}

main(process.argv.slice(2)).then(exit, (error: unknown) => {
  if (stdoutClosed.signal.aborted) return exit(2);
  if (error instanceof MambaWebGpuError) {
    err(`${error.message}\n`); // typed messages are one sentence: the function, what came, the fix
    return exit(2);
  }
  const debug = process.env.MAMBA_WEBGPU_DEBUG === '1';
  err(
    debug && error instanceof Error
      ? `${error.stack}\n`
      : `mamba-webgpu: internal error: ${error instanceof Error ? `${error.name}: ` : ''}${oneLine(error)} ` +
          '(a bug; MAMBA_WEBGPU_DEBUG=1 prints the stack)\n',
  );
  return exit(1);
});
