// The tokenizer suite: encode (and decode) throughput of @mamba-webgpu/tokenizer against
// @huggingface/tokenizers on the same seeded corpus in the same run, GPT-NeoX-20B tokenizer.
// Also checks that both produce identical ids; a mismatch is reported in the ratio row.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { Tokenizer } from '@mamba-webgpu/tokenizer';
import { measure } from '@mamba-webgpu/tensor/internal';
import { sampleFields } from '../runner.js';
import type { BenchContext, BenchRow, BenchSuite } from '../types.js';

/** Path of the GPT-NeoX-20B tokenizer.json inside the repository. */
export const NEOX_TOKENIZER_PATH = 'packages/tokenizer/test/fixtures/gpt-neox-20b/tokenizer.json';

/** The repository root: the first folder above `from` that holds pnpm-workspace.yaml. */
export function findRepoRoot(from: string = process.cwd()): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** A small seeded PRNG (mulberry32) so the corpus is the same in every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the of and to in a is that for it as was with be by on not he i this are or his from at which but have an ' +
  'they you were her she there been one all we their has would when if so no what can more about said into ' +
  'state space model selective scan recurrent hidden sequence length token tokenizer throughput latency memory ' +
  'bandwidth kernel shader workgroup buffer tensor matrix gradient inference language transformer attention ' +
  'quickly carefully unbelievable internationalization misunderstanding reconfiguration electroencephalography ' +
  "don't can't it's we'll they've I'm she'd you're Mamba WebGPU JavaScript TypeScript HuggingFace GPT-NeoX"
).split(' ');

const CODE = [
  'function add(a, b) {\n  return a + b;\n}\n',
  'for (let i = 0; i < n; i++) {\n    sum += x[i] * y[i];\n}\n',
  'def forward(self, x):\n        h = self.norm(x)\n        return x + self.mixer(h)\n',
  'const { dModel, dState } = config; // (batch, seqLen, dModel)\n',
  '<div class="row">\n\t<span id="a1">{{ value }}</span>\n</div>\n',
  "SELECT id, name FROM users WHERE created_at > NOW() - INTERVAL '7 days';\n",
  '    if err != nil {\n        return fmt.Errorf("load: %w", err)\n    }\n',
];

const UNICODE = [
  'naïve café résumé',
  'Ünïcödé ÀÉÎÕÜ ß',
  '日本語のテキストを分割します。',
  'Mamba は状態空間モデルです',
  'Ελληνικά και русский текст',
  'مرحبا بالعالم',
  'emoji 👍🏽 and family 👨‍👩‍👧 🇯🇵',
  '数学: ∑ x² ≤ ∞, α β γ',
];

/** A deterministic mixed corpus of about `bytes` UTF-8 bytes, as documents of 1-4 KB. */
export function makeCorpus(bytes: number, seed = 20240521): string[] {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const encoder = new TextEncoder();
  const docs: string[] = [];
  let total = 0;
  while (total < bytes) {
    const target = 1024 + Math.floor(random() * 3072);
    let doc = '';
    while (doc.length < target) {
      const r = random();
      if (r < 0.62) {
        // A sentence of English-like words.
        const n = 5 + Math.floor(random() * 18);
        const words: string[] = [];
        for (let k = 0; k < n; k++) words.push(pick(WORDS));
        const sentence = words.join(' ');
        doc += `${sentence[0]!.toUpperCase()}${sentence.slice(1)}${pick(['.', '.', '.', '?', '!', ','])} `;
      } else if (r < 0.75) {
        doc += pick(CODE);
      } else if (r < 0.85) {
        doc += `${Math.floor(random() * 1e6)} ${(random() * 1000).toFixed(3)} ${2000 + Math.floor(random() * 30)}-0${1 + Math.floor(random() * 9)} `;
      } else if (r < 0.94) {
        doc += `${pick(UNICODE)} `;
      } else {
        doc += pick(['\n\n', '    ', '\t\t', '   \n', '\r\n', '  ']);
      }
    }
    docs.push(doc);
    total += encoder.encode(doc).length;
  }
  return docs;
}

function skipRow(note: string): BenchRow[] {
  return [
    { suite: 'tokenizer', name: 'encode/skipped', shape: '-', value: 0, unit: 'MB/s', extra: { note } },
  ];
}

/** Encode/decode throughput, ours vs @huggingface/tokenizers, on the GPT-NeoX-20B tokenizer. */
export const tokenizerSuite: BenchSuite = {
  name: 'tokenizer',
  description:
    'Tokenizer encode/decode MB/s: @mamba-webgpu/tokenizer vs @huggingface/tokenizers (GPT-NeoX-20B)',
  needsGpu: false,
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const root = findRepoRoot();
    const path = root === undefined ? undefined : join(root, NEOX_TOKENIZER_PATH);
    if (path === undefined || !existsSync(path)) {
      return skipRow(`tokenizer.json not found: run from the repository (looked for ${NEOX_TOKENIZER_PATH})`);
    }
    const json = readFileSync(path, 'utf8');
    const ours = Tokenizer.fromJSON(json);
    const theirs = new HfTokenizer(JSON.parse(json), {});

    const docs = makeCorpus(ctx.sizing === 'small' ? 128 * 1024 : 512 * 1024);
    const bytes = docs.reduce((sum, d) => sum + new TextEncoder().encode(d).length, 0);
    const shape = `gpt-neox-20b, ${docs.length} docs, ${(bytes / 1024).toFixed(0)} KB`;
    const steps = 5;
    ctx.progress(0, steps, 'check ids');

    // Same ids on every document?
    let mismatches = 0;
    let firstMismatch = -1;
    let tokens = 0;
    const ourIds = docs.map((d) => ours.encode(d, { addSpecialTokens: false }));
    docs.forEach((doc, k) => {
      const hf = theirs.encode(doc, { add_special_tokens: false }).ids;
      const mine = ourIds[k]!;
      tokens += mine.length;
      if (hf.length !== mine.length || hf.some((id, j) => id !== mine[j])) {
        mismatches++;
        if (firstMismatch < 0) firstMismatch = k;
      }
    });

    const budgetMs = ctx.timeBudgetMs / 4;
    const options = { warmup: 3, samples: 9, minSamples: 3, budgetMs };
    // Each sample repeats the whole corpus until it lasts >= 50 ms (timer and GC noise), and
    // reports the time of one pass; both libraries are warm (their word caches filled).
    const timed = (pass: () => void) => {
      let passes = 1;
      return () => {
        const t0 = performance.now();
        for (let k = 0; k < passes; k++) pass();
        const ms = (performance.now() - t0) / passes;
        passes = Math.max(1, Math.ceil(50 / Math.max(ms, 0.01)));
        return ms;
      };
    };
    ctx.progress(1, steps, 'encode ours');
    const encodeOurs = await measure(
      timed(() => {
        for (const doc of docs) ours.encode(doc, { addSpecialTokens: false });
      }),
      options,
    );
    ctx.progress(2, steps, 'encode @huggingface/tokenizers');
    const encodeTheirs = await measure(
      timed(() => {
        for (const doc of docs) theirs.encode(doc, { add_special_tokens: false });
      }),
      options,
    );
    ctx.progress(3, steps, 'decode ours');
    const decodeOurs = await measure(
      timed(() => {
        for (const ids of ourIds) ours.decode(ids);
      }),
      options,
    );
    ctx.progress(4, steps, 'decode @huggingface/tokenizers');
    const decodeTheirs = await measure(
      timed(() => {
        for (const ids of ourIds) theirs.decode(ids);
      }),
      options,
    );
    ctx.progress(5, steps, 'done');

    const mbps = (ms: number) => bytes / 1e6 / (ms / 1000);
    const row = (name: string, m: { median: number; spread: number; outliers: number }): BenchRow => ({
      suite: 'tokenizer',
      name,
      shape,
      value: mbps(m.median),
      unit: 'MB/s',
      ...sampleFields(m),
      extra: {
        ms: Number(m.median.toFixed(2)),
        'Mtok/s': Number((tokens / 1e6 / (m.median / 1000)).toFixed(3)),
      },
    });
    const ids = mismatches === 0 ? 'identical' : `${mismatches} docs differ (first: doc ${firstMismatch})`;
    return [
      row('encode/ours', encodeOurs),
      row('encode/hf-tokenizers', encodeTheirs),
      {
        suite: 'tokenizer',
        name: 'encode/ratio',
        shape,
        value: encodeTheirs.median / encodeOurs.median,
        unit: 'x',
        extra: { ids, tokens },
      },
      row('decode/ours', decodeOurs),
      row('decode/hf-tokenizers', decodeTheirs),
      {
        suite: 'tokenizer',
        name: 'decode/ratio',
        shape,
        value: decodeTheirs.median / decodeOurs.median,
        unit: 'x',
      },
    ];
  },
};
