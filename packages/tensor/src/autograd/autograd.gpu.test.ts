// Autograd against finite differences: every differentiable op's gradients (GPU kernels through
// the tape) match the float64 numerical gradient of sum(op(inputs) * dy) computed from a CPU
// reference; plus the tape's ownership (nothing left alive) and its misuse errors.

import { describe, expect, it } from 'vitest';
import { testContext } from '../../test/gpu.js';
import { InvalidArgumentError } from '../errors.js';
import { IGNORE_INDEX } from '../ops/loss/cross-entropy.js';
import { Tensor } from '../tensor/tensor.js';
import { SeededRandom, expectAllClose } from '../testing.js';
import { dot, numericGradient } from './grad-check.js';
import * as ad from './index.js';
import { Tape } from './tape.js';

type F64 = readonly Float64Array[];
const GRAD_TOL = { rtol: 2e-3, atol: 2e-4 };

/** y = x @ W^T + b over rows. */
function linearRef(
  x: Float64Array,
  w: Float64Array,
  b: Float64Array | undefined,
  m: number,
  k: number,
  n: number,
) {
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = b ? b[j]! : 0;
      for (let q = 0; q < k; q++) s += x[i * k + q]! * w[j * k + q]!;
      y[i * n + j] = s;
    }
  return y;
}

function rmsNormRef64(x: Float64Array, w: Float64Array, dim: number, eps: number) {
  const y = new Float64Array(x.length);
  for (let r = 0; r < x.length / dim; r++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) sq += x[r * dim + d]! ** 2;
    const inv = 1 / Math.sqrt(sq / dim + eps);
    for (let d = 0; d < dim; d++) y[r * dim + d] = x[r * dim + d]! * inv * w[d]!;
  }
  return y;
}

interface Case {
  name: string;
  shapes: number[][];
  /** Values per input (default normal). */
  init?: (rng: SeededRandom, k: number) => number;
  forward(tape: Tape, inputs: Tensor[]): Tensor;
  reference(inputs: F64): Float64Array;
}

const cases: Case[] = [
  {
    name: 'linear with bias (m 5, k 7, n 3)',
    shapes: [[5, 7], [3, 7], [3]],
    forward: (t, [x, w, b]) => ad.linear(t, x!, w!, b),
    reference: ([x, w, b]) => linearRef(x!, w!, b, 5, 7, 3),
  },
  {
    name: 'linear over leading dims (2, 3, 4) -> 6',
    shapes: [
      [2, 3, 4],
      [6, 4],
    ],
    forward: (t, [x, w]) => ad.linear(t, x!, w!),
    reference: ([x, w]) => linearRef(x!, w!, undefined, 6, 4, 6),
  },
  {
    name: 'add with a trailing broadcast',
    shapes: [[4, 5], [5]],
    forward: (t, [a, b]) => ad.add(t, a!, b!),
    reference: ([a, b]) => a!.map((v, i) => v + b![i % 5]!),
  },
  {
    name: 'mul with a trailing broadcast',
    shapes: [[3, 6], [6]],
    forward: (t, [a, b]) => ad.mul(t, a!, b!),
    reference: ([a, b]) => a!.map((v, i) => v * b![i % 6]!),
  },
  ...(['silu', 'softplus', 'exp', 'neg', 'sigmoid'] as const).map(
    (op): Case => ({
      name: `unary ${op}`,
      shapes: [[37]],
      forward: (t, [x]) => ad.unary(t, op, x!),
      reference: ([x]) =>
        x!.map((v) => {
          const s = 1 / (1 + Math.exp(-v));
          return {
            silu: v * s,
            softplus: v > 20 ? v : Math.log1p(Math.exp(v)),
            exp: Math.exp(v),
            neg: -v,
            sigmoid: s,
          }[op];
        }),
    }),
  ),
  {
    name: 'rmsNorm (rows 3, dim 300: more than one pass of the workgroup)',
    shapes: [[3, 300], [300]],
    init: (rng, k) => (k === 1 ? rng.uniform(0.5, 1.5) : rng.normal()),
    forward: (t, [x, w]) => ad.rmsNorm(t, x!, w!, 1e-5),
    reference: ([x, w]) => rmsNormRef64(x!, w!, 300, 1e-5),
  },
  {
    name: 'addRmsNorm: both outputs carry gradient',
    shapes: [[4, 9], [4, 9], [9]],
    init: (rng, k) => (k === 2 ? rng.uniform(0.5, 1.5) : rng.normal()),
    forward: (t, [x, r, w]) => {
      const { out, residual } = ad.addRmsNorm(t, x!, r!, w!, 1e-5);
      // Use both outputs: out + 0.5 * residual, through recorded ops.
      const half = Tensor.fromArray(x!.ctx, [0.5], [1], 'f32');
      const scaled = ad.mul(t, residual, half);
      half.dispose();
      return ad.add(t, out, scaled);
    },
    reference: ([x, r, w]) => {
      const s = x!.map((v, i) => v + r![i]!);
      const n = rmsNormRef64(s, w!, 9, 1e-5);
      return n.map((v, i) => v + 0.5 * s[i]!);
    },
  },
  {
    name: 'logSoftmax (rows 2, dim 300)',
    shapes: [[2, 300]],
    forward: (t, [x]) => ad.logSoftmax(t, x!),
    reference: ([x]) => {
      const y = new Float64Array(x!.length);
      for (let r = 0; r < 2; r++) {
        let m = -Infinity;
        for (let d = 0; d < 300; d++) m = Math.max(m, x![r * 300 + d]!);
        let s = 0;
        for (let d = 0; d < 300; d++) s += Math.exp(x![r * 300 + d]! - m);
        for (let d = 0; d < 300; d++) y[r * 300 + d] = x![r * 300 + d]! - m - Math.log(s);
      }
      return y;
    },
  },
  {
    name: 'transpose then linear (a strided view as input)',
    shapes: [
      [4, 3],
      [2, 4],
    ],
    forward: (t, [x, w]) => ad.linear(t, ad.transpose(t, x!, 0, 1), w!),
    reference: ([x, w]) => {
      const xt = new Float64Array(12);
      for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) xt[j * 4 + i] = x![i * 3 + j]!;
      return linearRef(xt, w!, undefined, 3, 4, 2);
    },
  },
  {
    name: 'slice of columns then reshape',
    shapes: [[3, 8]],
    forward: (t, [x]) => ad.reshape(t, ad.unary(t, 'silu', ad.slice(t, x!, 1, 2, 6)), [12]),
    reference: ([x]) => {
      const y = new Float64Array(12);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 4; j++) {
          const v = x![i * 8 + j + 2]!;
          y[i * 4 + j] = v / (1 + Math.exp(-v));
        }
      return y;
    },
  },
  {
    name: 'broadcast (1, 3, 1) -> (2, 3, 5): the gradient sums over batch and time',
    shapes: [
      [3, 1],
      [2, 3, 5],
    ],
    forward: (t, [b, x]) => ad.mul(t, ad.broadcast(t, ad.reshape(t, b!, [1, 3, 1]), [2, 3, 5]), x!),
    reference: ([b, x]) => x!.map((v, i) => v * b![Math.floor(i / 5) % 3]!),
  },
  {
    name: 'broadcast (4) -> (3, 2, 4) alone (a stride-0 view is the output)',
    shapes: [[4]],
    forward: (t, [x]) => ad.broadcast(t, x!, [3, 2, 4]),
    reference: ([x]) => Float64Array.from({ length: 24 }, (_, i) => x![i % 4]!),
  },
  {
    name: 'broadcast of a transposed view (3, 2)^T -> (5, 2, 3)',
    shapes: [[3, 2]],
    forward: (t, [x]) => ad.unary(t, 'silu', ad.broadcast(t, ad.transpose(t, x!, 0, 1), [5, 2, 3])),
    reference: ([x]) =>
      Float64Array.from({ length: 30 }, (_, i) => {
        const v = x![(i % 3) * 2 + (Math.floor(i / 3) % 2)]!;
        return v / (1 + Math.exp(-v));
      }),
  },
  {
    name: 'checkpoint: a recomputed block (linear + silu) with its weight',
    shapes: [
      [5, 4],
      [6, 4],
    ],
    forward: (t, [x, w]) =>
      ad.checkpoint(t, 'block', [x!], [w!], (inner, [xi]) => [
        ad.unary(inner, 'silu', ad.linear(inner, xi!, w!)),
      ])[0]!,
    reference: ([x, w]) => linearRef(x!, w!, undefined, 5, 4, 6).map((v) => v / (1 + Math.exp(-v))),
  },
];

async function runCase(c: Case) {
  const ctx = await testContext();
  const rng = new SeededRandom(c.name.length * 7919);
  const hosts = c.shapes.map((s, k) =>
    Float64Array.from(
      rng.array(
        s.reduce((p, d) => p * d, 1),
        () => (c.init ? c.init(rng, k) : rng.normal()),
      ),
    ),
  );
  const y0 = c.reference(hosts);
  const dyHost = Float64Array.from(rng.array(y0.length));
  const numeric = numericGradient((xs) => dot(c.reference(xs), dyHost), hosts);
  const before = ctx.stats().liveBuffers;
  const inputs = hosts.map((h, k) =>
    Tensor.fromArray(ctx, Float32Array.from(h), c.shapes[k]!, 'f32', `input${k}`),
  );
  const tape = new Tape();
  for (const x of inputs) tape.param(x);
  const y = c.forward(tape, inputs);
  expectAllClose(await y.read(), y0, { rtol: 1e-4, atol: 1e-4, label: `${c.name}: forward` });
  const dy = Tensor.fromArray(ctx, Float32Array.from(dyHost), y.shape, 'f32');
  tape.backward([[y, dy]]);
  const grads = tape.grads(inputs);
  for (let k = 0; k < inputs.length; k++) {
    expect(grads[k], `${c.name}: gradient ${k}`).toBeDefined();
    expectAllClose(await grads[k]!.read(), numeric[k]!, { ...GRAD_TOL, label: `${c.name}: d input ${k}` });
  }
  for (const g of grads) g?.dispose();
  tape.dispose();
  y.dispose();
  dy.dispose();
  for (const x of inputs) x.dispose();
  expect(ctx.stats().liveBuffers, `${c.name}: buffers left alive`).toBe(before);
  await ctx.checkErrors();
}

describe('autograd: each op against finite differences (float64 CPU references)', () => {
  for (const c of cases) it(c.name, () => runCase(c));
});

describe('autograd: embedding and the fused LM-head loss', () => {
  it('embedding gradient is a deterministic scatter-add over repeated ids', async () => {
    const ctx = await testContext();
    const ids = [3, 1, 3, 0, 3, 1];
    const rng = new SeededRandom(5);
    const table = Tensor.fromArray(ctx, rng.array(5 * 4), [5, 4], 'f32');
    const idsGpu = Tensor.fromArray(ctx, ids, [2, 3], 'i32');
    const dyHost = rng.array(6 * 4);
    const tape = new Tape();
    tape.param(table);
    const y = ad.embedding(tape, idsGpu, ids, table);
    const dy = Tensor.fromArray(ctx, dyHost, [2, 3, 4], 'f32');
    tape.backward([[y, dy]]);
    const [g] = tape.grads([table]);
    const expected = new Float64Array(20);
    ids.forEach((id, t) => {
      for (let d = 0; d < 4; d++) expected[id * 4 + d]! += dyHost[t * 4 + d]!;
    });
    expectAllClose(await g!.read(), expected, { rtol: 1e-6, atol: 1e-6, label: 'd table' });
    for (const t of [g, y, dy, table, idsGpu]) t?.dispose();
    tape.dispose();
  });

  it('lmHeadLoss: loss, dh and dTable match finite differences, across chunk sizes', async () => {
    const ctx = await testContext();
    const [tokens, dim, vocab] = [7, 5, 11];
    const rng = new SeededRandom(11);
    const hHost = Float64Array.from(rng.array(tokens * dim));
    const eHost = Float64Array.from(rng.array(vocab * dim));
    const targets = [3, 0, IGNORE_INDEX, 10, 4, 4, 7];
    const lossRef = ([h, e]: F64) => {
      const logits = linearRef(h!, e!, undefined, tokens, dim, vocab);
      let total = 0;
      let counted = 0;
      for (let t = 0; t < tokens; t++) {
        if (targets[t] === IGNORE_INDEX) continue;
        let m = -Infinity;
        for (let v = 0; v < vocab; v++) m = Math.max(m, logits[t * vocab + v]!);
        let s = 0;
        for (let v = 0; v < vocab; v++) s += Math.exp(logits[t * vocab + v]! - m);
        total += m + Math.log(s) - logits[t * vocab + targets[t]!]!;
        counted++;
      }
      return total / counted;
    };
    const numeric = numericGradient(lossRef, [hHost, eHost]);
    for (const chunkTokens of [1, 3, 7]) {
      const h = Tensor.fromArray(ctx, Float32Array.from(hHost), [tokens, dim], 'f32');
      const e = Tensor.fromArray(ctx, Float32Array.from(eHost), [vocab, dim], 'f32');
      const tape = new Tape();
      tape.param(h);
      tape.param(e);
      const loss = ad.lmHeadLoss(tape, h, e, targets, { chunkTokens });
      expectAllClose(await loss.read(), [lossRef([hHost, eHost])], {
        rtol: 1e-5,
        atol: 1e-6,
        label: `loss chunk ${chunkTokens}`,
      });
      const one = Tensor.fromArray(ctx, [1], [1], 'f32');
      tape.backward([[loss, one]]);
      const [dh, de] = tape.grads([h, e]);
      expectAllClose(await dh!.read(), numeric[0]!, { ...GRAD_TOL, label: `dh chunk ${chunkTokens}` });
      expectAllClose(await de!.read(), numeric[1]!, { ...GRAD_TOL, label: `dTable chunk ${chunkTokens}` });
      for (const t of [dh, de, loss, one, h, e]) t?.dispose();
      tape.dispose();
    }
    await ctx.checkErrors();
  });
});

describe('Tape lifecycle', () => {
  it('refuses misuse with typed errors', async () => {
    const ctx = await testContext();
    const x = Tensor.fromArray(ctx, [1, 2], [2], 'f32');
    const ids = Tensor.fromArray(ctx, [1], [1], 'i32');
    const tape = new Tape();
    expect(() => tape.param(ids)).toThrow(/must be f32/);
    expect(() => tape.grads([x])).toThrow(/call backward\(\) first/);
    expect(() => tape.backward([[x, x]])).toThrow(/not produced by a recorded op/);
    expect(() => ad.unary(tape, 'exp', x)).toThrow(InvalidArgumentError);
    tape.dispose();
    x.dispose();
    ids.dispose();
  });

  it('records nothing when no input carries gradient', async () => {
    const ctx = await testContext();
    const x = Tensor.fromArray(ctx, [1, 2], [2], 'f32');
    const tape = new Tape();
    const y = ad.unary(tape, 'silu', x);
    expect(tape.size).toBe(0);
    y.dispose();
    x.dispose();
    tape.dispose();
  });
});
