// `mamba-webgpu train` end to end (the built CLI in a child process): three steps on mamba-tiny
// with the oracle's settings save weights equal to PyTorch's `after.*`, with the optimizer state,
// metrics and the loss chart beside them; the saved folder loads back; bad input exits with a
// typed message before any training.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesSource, decodeToFloat32, decodeToInt32, readAllTensors } from '../../src/index.js';
import { fixtureBytes, fixturePath } from '../loading/helpers.js';
import { readTrainOracle, type TrainOracle } from '../training/train-fixture.js';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
let dir: string;
let dataFile: string;
let oracle: TrainOracle;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`train cli test: ${cli} is missing; run pnpm build first`);
  dir = mkdtempSync(join(tmpdir(), 'mamba-train-cli-'));
  oracle = await readTrainOracle();
  const tensors = await readAllTensors(
    bytesSource(fixtureBytes('train/mamba-tiny/train_expected.safetensors')),
  );
  const ids = Array.from(decodeToInt32(tensors.get('input_ids')!));
  dataFile = join(dir, 'ids.json');
  writeFileSync(dataFile, JSON.stringify({ input_ids: [ids.slice(0, 37), ids.slice(37)] }));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ORACLE_ARGS = [
  '--steps',
  '3',
  '--lr',
  '1e-3',
  '--betas',
  '0.9,0.95',
  '--eps',
  '1e-8',
  '--weight-decay',
  '0.1',
  '--clip',
  '1.0',
];

describe('mamba-webgpu train', () => {
  it('reproduces the oracle: 3 AdamW steps, saved as a loadable HF checkpoint', async () => {
    const out = join(dir, 'out');
    const { stdout } = await run(
      process.execPath,
      [
        cli,
        'train',
        '--model',
        fixturePath('mamba-tiny'),
        '--data',
        dataFile,
        ...ORACLE_ARGS,
        '--out',
        out,
        '--json',
      ],
      { timeout: 240_000 },
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { step: number; loss: number; gradNorm: number; lr: number });
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3]);
    lines.forEach((l, i) => {
      expect(l.loss).toBeCloseTo(oracle.losses[i]!, 4);
      expect(Math.abs(l.gradNorm - oracle.gradNorms[i]!) / oracle.gradNorms[i]!).toBeLessThan(1e-4);
      expect(l.lr).toBe(1e-3);
    });
    const saved = await readAllTensors(
      bytesSource(new Uint8Array(readFileSync(join(out, 'model.safetensors')))),
    );
    let total = 0;
    let within = 0;
    let worst = 0;
    for (const [name, want] of oracle.after) {
      const t = saved.get(name);
      expect(t, name).toBeDefined();
      const got = decodeToFloat32(t!);
      for (let i = 0; i < got.length; i++) {
        const d = Math.abs(got[i]! - want.data[i]!);
        worst = Math.max(worst, d);
        if (d <= 1e-4) within++;
        total++;
      }
    }
    expect(within / total).toBeGreaterThanOrEqual(0.999);
    expect(worst).toBeLessThanOrEqual(3e-3);
    for (const f of [
      'config.json',
      'optimizer.safetensors',
      'metrics.jsonl',
      'loss-chart.svg',
      'loss-chart.html',
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    expect(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
    expect(readFileSync(join(out, 'loss-chart.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<path d="M/);
    // The saved folder is a checkpoint our CLI loads and generates from.
    const gen = await run(
      process.execPath,
      [cli, 'generate', '--model', out, '--ids', '1,2,3', '--max-tokens', '4', '--json'],
      { timeout: 120_000 },
    );
    expect((JSON.parse(gen.stdout) as { ids: number[] }).ids).toHaveLength(4);
  }, 300_000);

  it('--resume continues a run bit for bit: 2 + 2 steps equal 4 steps', async () => {
    const common = [
      '--lr',
      '1e-3',
      '--weight-decay',
      '0.1',
      '--clip',
      '1.0',
      '--schedule',
      'cosine',
      '--warmup',
      '1',
      '--json',
    ];
    const train = async (model: string, out: string, steps: number, extra: string[] = []) => {
      const { stdout } = await run(
        process.execPath,
        [
          cli,
          'train',
          '--model',
          model,
          '--data',
          dataFile,
          '--steps',
          String(steps),
          '--out',
          out,
          ...common,
          ...extra,
        ],
        { timeout: 240_000 },
      );
      return stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { step: number; loss: number; lr: number });
    };
    const straight = await train(fixturePath('mamba-tiny'), join(dir, 'four'), 4);
    const firstHalf = await train(fixturePath('mamba-tiny'), join(dir, 'two'), 2, ['--steps', '2']);
    expect(firstHalf.map((l) => l.loss)).toEqual(straight.slice(0, 2).map((l) => l.loss));
    const resumed = await train(join(dir, 'two'), join(dir, 'resumed'), 2, ['--resume']);
    expect(resumed.map((l) => l.step)).toEqual([3, 4]);
    expect(resumed.map((l) => [l.loss, l.lr])).toEqual(straight.slice(2).map((l) => [l.loss, l.lr]));
    const bytes = (d: string) => readFileSync(join(dir, d, 'model.safetensors'));
    expect(bytes('resumed').equals(bytes('four'))).toBe(true);
    expect(
      readFileSync(join(dir, 'resumed', 'metrics.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);
  }, 600_000);

  it('refuses bad input with a typed message and exit code 2', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ input_ids: [[1, 2, 100000]] }));
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, JSON.stringify({ input_ids: [] }));
    const cases: [string[], RegExp][] = [
      [['--data', dataFile, '--steps', '0'], /--steps must be an integer >= 1/],
      [['--data', dataFile, '--steps', '1', '--lr', 'nan'], /--lr must be/],
      [['--data', bad, '--steps', '1'], /input_ids\[0\]\[2\] = 100000/],
      [['--data', empty, '--steps', '1'], /at least one row/],
    ];
    for (const [args, message] of cases) {
      const result = await run(process.execPath, [
        cli,
        'train',
        '--model',
        fixturePath('mamba-tiny'),
        '--out',
        join(dir, 'never'),
        ...args,
      ]).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'never', 'model.safetensors'))).toBe(false);
  }, 120_000);
});
